using Cerebro.Server.Persistence;
using Npgsql;

namespace Cerebro.UnitTests.Persistence;

public sealed class PostgresConnectionTests
{
    [Fact]
    public void PlainConnectionString_GetsPreparedStatementsAndNoResetOnClose()
    {
        var tuned = new NpgsqlConnectionStringBuilder(
            PostgresConnection.WithCerebroDefaults("Host=db;Username=cerebro;Password=secret;Database=cerebro"));

        Assert.Equal(PostgresConnection.MaxAutoPrepare, tuned.MaxAutoPrepare);
        Assert.Equal(PostgresConnection.AutoPrepareMinUsages, tuned.AutoPrepareMinUsages);
        Assert.True(tuned.NoResetOnClose);
        Assert.Equal(("db", "cerebro", "secret", "cerebro"), (tuned.Host, tuned.Username, tuned.Password, tuned.Database));
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0;No Reset On Close=false")]
    [InlineData("Host=db;maxautoprepare=0;noresetonclose=false")]
    public void SettingsTheOperatorNamed_AreKept(string connectionString)
    {
        var tuned = new NpgsqlConnectionStringBuilder(PostgresConnection.WithCerebroDefaults(connectionString));

        Assert.Equal(0, tuned.MaxAutoPrepare);
        Assert.False(tuned.NoResetOnClose);
    }

    [Fact]
    public void OperatorsMinUsages_IsKeptWithTheDefaultPrepareLimit()
    {
        var tuned = new NpgsqlConnectionStringBuilder(PostgresConnection.WithCerebroDefaults("Host=db;Auto Prepare Min Usages=7"));

        Assert.Equal(PostgresConnection.MaxAutoPrepare, tuned.MaxAutoPrepare);
        Assert.Equal(7, tuned.AutoPrepareMinUsages);
    }
}
