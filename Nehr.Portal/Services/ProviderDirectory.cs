using Microsoft.EntityFrameworkCore;
using Nehr.Core.Data;

namespace Nehr.Portal.Services;

/// <summary>Names of the provider register (not clinical data), to show where entries and accesses came from.</summary>
public sealed class ProviderDirectory(IDbContextFactory<NehrDbContext> dbFactory)
{
    private IReadOnlyDictionary<int, string>? _names;

    public async Task<IReadOnlyDictionary<int, string>> NamesAsync()
    {
        if (_names is null)
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            _names = await db.Providers.AsNoTracking().ToDictionaryAsync(p => p.Id, p => p.Name);
        }

        return _names;
    }
}
