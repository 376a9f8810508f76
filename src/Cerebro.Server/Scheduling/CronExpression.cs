using System.Security.Cryptography;
using System.Text;
using NCrontab;

namespace Cerebro.Server.Scheduling;

/// <summary>A declared cron expression (five fields, or six with seconds first), evaluated in UTC.</summary>
public static class CronExpression
{
    private static readonly CrontabSchedule.ParseOptions FiveFields = new() { IncludingSeconds = false };
    private static readonly CrontabSchedule.ParseOptions SixFields = new() { IncludingSeconds = true };

    /// <summary>The first occurrence strictly after <paramref name="after"/>.</summary>
    public static DateTime NextAfter(string cron, DateTime after)
    {
        var schedule = CrontabSchedule.TryParse(cron, FiveFields) ?? CrontabSchedule.TryParse(cron, SixFields)
            ?? throw new FormatException($"'{cron}' is not a cron expression of five or six fields");
        return DateTime.SpecifyKind(schedule.GetNextOccurrence(DateTime.SpecifyKind(after, DateTimeKind.Unspecified)), DateTimeKind.Utc);
    }

    /// <summary>
    /// The run id of one occurrence: the same on every Cerebro instance and after a restart, so an occurrence that is
    /// fired twice (two instances, or a crash before the schedule moved on) starts one run.
    /// </summary>
    public static Guid RunIdFor(string task, DateTime occurrence)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"cron\n{task}\n{occurrence.Ticks}"), hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80); // version 8 (custom), so it never collides with a v7 id
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }
}
