using Cerebro.IntegrationTests.Deadlines;
using Cerebro.Server.Persistence;
using Cerebro.Tests.Shared.Declarations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Cerebro.IntegrationTests.Declarations;

/// <summary>The declaration's set-based writes (COPY, upsert, array statements) on a real PostgreSQL.</summary>
public sealed class PostgresDeclarationStoreTests(PostgresCerebroDatabase database)
    : DeclarationStoreTests, IClassFixture<PostgresCerebroDatabase>
{
    protected override CerebroDbContext CreateContext(IInterceptor? interceptor = null)
    {
        var options = new DbContextOptionsBuilder<CerebroDbContext>().UseNpgsql(database.ConnectionString);
        if (interceptor is not null)
            options.AddInterceptors(interceptor);
        return new CerebroDbContext(options.Options);
    }
}
