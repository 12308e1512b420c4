using Nehr.Core.Access;
using Nehr.Core.Records;

namespace Nehr.Portal.Services;

/// <summary>What the clinician pages do: find a patient, read the record through the gate, break the glass.</summary>
public sealed class ClinicianService(
    PortalUser user, HomeService home, PatientLookup lookup, RecordGate gate, EmergencyOverrideService overrides,
    ProviderDirectory providers)
{
    public async Task<StaffSummaryView?> MyDetailsAsync() => await home.GetStaffHomeAsync(await user.PrincipalAsync());

    public async Task<LookupResult> FindAsync(Nric nric) => await lookup.FindByNricAsync(await user.AuditContextAsync(), nric);

    public async Task<RecordView> OpenAsync(int patientId, PurposeOfUse purpose) =>
        await gate.OpenAsync(new RecordRequest(await user.AuditContextAsync(), patientId, purpose));

    public async Task<RecordView> ReadPageAsync(int patientId, PurposeOfUse purpose, EntryKind kind, int page) =>
        await gate.ReadPageAsync(new RecordRequest(await user.AuditContextAsync(), patientId, purpose), kind, page);

    public async Task<EmergencyOverride> BreakTheGlassAsync(int patientId, OverrideReason? reason, string? justification, bool attested) =>
        await overrides.GrantAsync(new OverrideRequest(await user.AuditContextAsync(), patientId, reason, justification, attested));

    /// <summary>Ends the clinician's own active override of this patient's restriction now.</summary>
    public async Task EndOverrideAsync(int patientId) =>
        await overrides.EndAsync(new EndOverrideRequest(await user.AuditContextAsync(), patientId));

    /// <summary>How long an override granted now would last.</summary>
    public TimeSpan OverrideDuration => overrides.Duration;

    public Task<IReadOnlyDictionary<int, string>> ProviderNamesAsync() => providers.NamesAsync();
}
