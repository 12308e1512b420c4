using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
#pragma warning disable EF1001 // EF's own migrations assembly, narrowed: there is no public extension point for "these migrations are for that provider".
using Microsoft.EntityFrameworkCore.Migrations.Internal;

namespace Nehr.Core.Data;

/// <summary>
/// EF's migrations assembly, showing only the migrations (and the model snapshot) of the provider in use. Both sets
/// live in this assembly for the one context type, told apart by namespace (see <see cref="DatabaseProviders"/>).
/// </summary>
internal sealed class ProviderMigrationsAssembly : MigrationsAssembly
{
    private readonly string _namespace;
    private readonly Lazy<IReadOnlyDictionary<string, TypeInfo>> _migrations;
    private readonly Lazy<ModelSnapshot?> _snapshot;

    public ProviderMigrationsAssembly(
        ICurrentDbContext currentContext,
        IDbContextOptions options,
        IMigrationsIdGenerator idGenerator,
        IDiagnosticsLogger<DbLoggerCategory.Migrations> logger)
        : base(currentContext, options, idGenerator, logger)
    {
        _namespace = currentContext.Context.Database.IsNpgsql() ? DatabaseProviders.PostgreSqlMigrations : DatabaseProviders.SqliteMigrations;
        _migrations = new(() => base.Migrations
            .Where(m => m.Value.Namespace == _namespace)
            .ToDictionary(m => m.Key, m => m.Value));
        _snapshot = new(() => Assembly.DefinedTypes
            .Where(t => !t.IsAbstract && t.Namespace == _namespace && t.IsSubclassOf(typeof(ModelSnapshot))
                && t.GetCustomAttribute<DbContextAttribute>()?.ContextType == currentContext.Context.GetType())
            .Select(t => (ModelSnapshot)Activator.CreateInstance(t.AsType())!)
            .FirstOrDefault());
    }

    public override IReadOnlyDictionary<string, TypeInfo> Migrations => _migrations.Value;

    public override ModelSnapshot? ModelSnapshot => _snapshot.Value;
}
