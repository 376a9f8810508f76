using System.Data.Common;
using Npgsql;

namespace Cerebro.Server.Persistence;

/// <summary>
/// Cerebro's defaults for its PostgreSQL connections. The hot path runs the same few statements thousands of times a
/// second, so Npgsql prepares them on the server (parsed and planned once per connection, not once per call), and a
/// pooled connection is handed back without the reset statement Npgsql sends by default: Cerebro changes no session
/// state (its one <c>SET LOCAL</c> ends with its transaction). A connection string that names either setting keeps it.
/// </summary>
internal static class PostgresConnection
{
    public const int MaxAutoPrepare = 64;
    public const int AutoPrepareMinUsages = 2;

    public static string WithCerebroDefaults(string connectionString)
    {
        var named = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!Names(named, "Max Auto Prepare", "MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = MaxAutoPrepare;
            if (!Names(named, "Auto Prepare Min Usages", "AutoPrepareMinUsages"))
                builder.AutoPrepareMinUsages = AutoPrepareMinUsages;
        }

        if (!Names(named, "No Reset On Close", "NoResetOnClose"))
            builder.NoResetOnClose = true;
        return builder.ConnectionString;
    }

    private static bool Names(DbConnectionStringBuilder named, params string[] keys) => keys.Any(named.ContainsKey);
}
