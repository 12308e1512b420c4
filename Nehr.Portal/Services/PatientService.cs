using Nehr.Core.Access;
using Nehr.Core.Audit;
using Nehr.Core.Notifications;
using Nehr.Core.Records;

namespace Nehr.Portal.Services;

/// <summary>
/// What the patient pages do. Every call acts for the signed-in patient: no method takes a patient identifier,
/// so changing one in a URL or a component parameter cannot reach someone else's data.
/// </summary>
public sealed class PatientService(
    PortalUser user, RecordGate gate, RestrictionService restrictions, AccessHistory history, AccessReportService reports,
    NoticeBoard notices, HomeService home, ProviderDirectory providers, NoticeChannels channels)
{
    public async Task<PatientSummary?> MyDetailsAsync() => await home.GetPatientHomeAsync(await user.PrincipalAsync());

    public async Task<RecordView> MyRecordAsync() => await gate.OpenOwnRecordAsync(await user.AuditContextAsync());

    public async Task<RecordView> MyRecordPageAsync(EntryKind kind, int page) =>
        await gate.OpenOwnRecordAsync(await user.AuditContextAsync(), kind, page);

    public Task<IReadOnlyDictionary<int, string>> ProviderNamesAsync() => providers.NamesAsync();

    public async Task<RestrictionSettings> SettingsAsync() => await restrictions.GetOwnAsync(await user.AuditContextAsync());

    public Task<IReadOnlyList<ProviderChoice>> SearchProvidersAsync(string? text) => restrictions.SearchProvidersAsync(text);

    public async Task<RestrictionChange?> SaveSettingsAsync(RestrictionMode mode, IReadOnlyCollection<int> providerIds, int expectedVersion) =>
        await restrictions.ChangeOwnAsync(await user.AuditContextAsync(), mode, providerIds, expectedVersion);

    public async Task<HistoryPage> HistoryAsync(HistoryFilter filter, int page, int pageSize) =>
        await history.PageAsync(await user.AuditContextAsync(), filter, page, pageSize);

    public async Task<HistoryPageView> HistoryPageAsync(HistoryFilter filter, int page, int pageSize) =>
        await history.HistoryPageAsync(await user.AuditContextAsync(), filter, page, pageSize);

    public async Task<AccessVisit?> VisitOfAsync(long sequence) => await history.VisitOfAsync(await user.AuditContextAsync(), sequence);

    public async Task<IReadOnlyList<(int Id, string Name)>> HistoryProvidersAsync() => await history.ProvidersAsync(await user.AuditContextAsync());

    public async Task<AccessReport> ReportAsync(long auditSequence, string? comment) =>
        await reports.ReportAsync(await user.AuditContextAsync(), auditSequence, comment);

    public async Task<PatientRegistration?> RegistrationAsync(long registrationId) =>
        await reports.RegistrationAsync(await user.AuditContextAsync(), registrationId);

    public async Task<AccessReport> ReportRegistrationAsync(long registrationId, string? comment) =>
        await reports.ReportRegistrationAsync(await user.AuditContextAsync(), registrationId, comment);

    public async Task<int> UnreadNoticesAsync() => await notices.UnreadCountAsync(await user.AuditContextAsync());

    public async Task<IReadOnlyList<PatientNotice>> NoticesAsync() => await notices.LatestAsync(await user.AuditContextAsync());

    public async Task MarkNoticesReadAsync() => await notices.MarkAllReadAsync(await user.AuditContextAsync());

    public async Task<NoticeChannelSettings> NoticeChannelsAsync() => await channels.GetOwnAsync(await user.AuditContextAsync());

    public async Task<NoticeChannelSettings> SaveNoticeChannelsAsync(bool byEmail, bool bySms, string? mobileNumber) =>
        await channels.SaveOwnAsync(await user.AuditContextAsync(), byEmail, bySms, mobileNumber);
}
