using Microsoft.EntityFrameworkCore;
using Nehr.Core.Access;
using Nehr.Core.Data;
using Nehr.Core.Records;

namespace Nehr.Portal.Services;

/// <summary>What the clinician pages do: find a patient, read the record through the gate, break the glass.</summary>
public sealed class ClinicianService(
    PortalUser user, HomeService home, PatientLookup lookup, RecordGate gate, EmergencyOverrideService overrides,
    IDbContextFactory<NehrDbContext> dbFactory)
{
    private IReadOnlyDictionary<int, string>? _providerNames;

    public async Task<StaffSummaryView?> MyDetailsAsync() => await home.GetStaffHomeAsync(await user.PrincipalAsync());

    public async Task<LookupResult> FindAsync(Nric nric) => await lookup.FindByNricAsync(await user.AuditContextAsync(), nric);

    public async Task<RecordView> OpenAsync(int patientId, PurposeOfUse purpose) =>
        await gate.OpenAsync(new RecordRequest(await user.AuditContextAsync(), patientId, purpose));

    public async Task<RecordView> ReadPageAsync(int patientId, PurposeOfUse purpose, EntryKind kind, int page) =>
        await gate.ReadPageAsync(new RecordRequest(await user.AuditContextAsync(), patientId, purpose), kind, page);

    public async Task<OverrideResult> BreakTheGlassAsync(int patientId, OverrideReason? reason, string? justification, bool attested) =>
        await overrides.GrantAsync(new OverrideRequest(await user.AuditContextAsync(), patientId, reason, justification, attested));

    /// <summary>Names of the provider register (not clinical data), to show where each entry came from.</summary>
    public async Task<IReadOnlyDictionary<int, string>> ProviderNamesAsync()
    {
        if (_providerNames is null)
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            _providerNames = await db.Providers.AsNoTracking().ToDictionaryAsync(p => p.Id, p => p.Name);
        }

        return _providerNames;
    }
}
