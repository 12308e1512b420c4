using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Access;
using Nehr.Core.Administration;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Identity;
using Nehr.Core.Records;

namespace Nehr.Core.Oversight;

public sealed record ReviewQueueSummary(int PendingOverrides, int OpenReports, DateTime? OldestPendingUtc);

public sealed record OverrideQueueItem(
    long Id, DateTime GrantedAtUtc, DateTime ExpiresAtUtc, string PatientName, string PatientNric, string PersonName, ProfessionalRole Role,
    string ProviderName, OverrideReason Reason, OverrideReviewStatus Status);

public sealed record ReportQueueItem(
    long Id, DateTime ReportedAtUtc, string PatientName, string PatientNric, DateTime AccessAtUtc, string? ProviderName, ReportStatus Status)
{
    /// <summary>The care registration reported (its provider is <see cref="ProviderName"/>); null for a report of an access.</summary>
    public long? RegistrationId { get; init; }
}

/// <summary>A reported care registration as the auditor sees it: who made it, how, and for how long.</summary>
public sealed record ReportedRegistration(
    long Id, string ProviderName, RegistrationSource Source, string RegisteredBy, DateTime RegisteredAtUtc, DateTime? ExpiresAtUtc, DateTime? EndedAtUtc);

/// <summary>
/// An inappropriate override's referral to the clinician's professional body: the body, its reference, and its outcome
/// and penalty once an auditor records them.
/// </summary>
public sealed record ReferralDetail(
    ProfessionalBody Body, string? Reference, string? Outcome, string? Penalty, DateTime? OutcomeRecordedAtUtc)
{
    public string BodyName => ProfessionalBodies.Display(Body);
}

/// <summary>One audited action done under an override (a read of the record, or the grant itself).</summary>
public sealed record AccessUnderOverride(long Sequence, DateTime AtUtc, string EventType, AccessLevel? Level, string? Details, string? ClientAddress);

public sealed record OverrideDetail(
    OverrideQueueItem Item, string Justification, IReadOnlyList<AccessUnderOverride> Accesses,
    string? Findings, bool Referred, string? ReviewedBy, DateTime? ReviewedAtUtc)
{
    /// <summary>The referral to the professional body, when the override was referred.</summary>
    public ReferralDetail? Referral { get; init; }
}

public sealed record ReportDetail(
    ReportQueueItem Item, string Comment, string? PersonName, string? Role, AccessLevel? Level, bool IsOverride, AuditOutcome Outcome,
    string? Reason, string? Details, string? Findings, string? ClosedBy, DateTime? ClosedAtUtc)
{
    /// <summary>The care registration the patient reported; null for a report of an access.</summary>
    public ReportedRegistration? Registration { get; init; }
}

/// <summary>
/// The MOH auditors' queue: every emergency override and every access a patient reported. Auditors only; each
/// look at an item's detail and each verdict is audited.
/// </summary>
public sealed class ReviewQueue(Commands.Commands commands)
{
    public const int MaxItems = 200;

    public Task<ReviewQueueSummary> SummaryAsync(AuditContext who, CancellationToken cancellationToken = default) =>
        commands.ReadAsync<ReviewQueueSummary>(who, "review.summary", Auditors, async command =>
        {
            var db = command.Db;
            var oldestOverride = await db.EmergencyOverrides.Where(o => o.ReviewStatus == OverrideReviewStatus.Pending)
                .MinAsync(o => (DateTime?)o.GrantedAtUtc, cancellationToken);
            var oldestReport = await db.AccessReports.Where(r => r.Status == ReportStatus.Open)
                .MinAsync(r => (DateTime?)r.ReportedAtUtc, cancellationToken);
            return new ReviewQueueSummary(
                await db.EmergencyOverrides.CountAsync(o => o.ReviewStatus == OverrideReviewStatus.Pending, cancellationToken),
                await db.AccessReports.CountAsync(r => r.Status == ReportStatus.Open, cancellationToken),
                new[] { oldestOverride, oldestReport }.Where(d => d is not null).Min());
        }, cancellationToken);

    /// <summary>Overrides, oldest pending first (or the latest reviewed ones).</summary>
    public Task<IReadOnlyList<OverrideQueueItem>> OverridesAsync(AuditContext who, bool pending, CancellationToken cancellationToken = default) =>
        commands.ReadAsync<IReadOnlyList<OverrideQueueItem>>(who, "review.overrides", Auditors, async command =>
        {
            var db = command.Db;
            var overrides = db.EmergencyOverrides.AsNoTracking();
            overrides = pending
                ? overrides.Where(o => o.ReviewStatus == OverrideReviewStatus.Pending).OrderBy(o => o.GrantedAtUtc).Take(MaxItems)
                : overrides.Where(o => o.ReviewStatus != OverrideReviewStatus.Pending).OrderByDescending(o => o.GrantedAtUtc).Take(MaxItems);
            var items = await OverrideItems(db, overrides).ToListAsync(cancellationToken);
            return pending ? items.OrderBy(i => i.GrantedAtUtc).ToList() : items.OrderByDescending(i => i.GrantedAtUtc).ToList();
        }, cancellationToken);

    public Task<IReadOnlyList<ReportQueueItem>> ReportsAsync(AuditContext who, bool open, CancellationToken cancellationToken = default) =>
        commands.ReadAsync<IReadOnlyList<ReportQueueItem>>(who, "review.reports", Auditors, async command =>
        {
            var db = command.Db;
            var reports = db.AccessReports.AsNoTracking();
            reports = open
                ? reports.Where(r => r.Status == ReportStatus.Open).OrderBy(r => r.ReportedAtUtc).Take(MaxItems)
                : reports.Where(r => r.Status != ReportStatus.Open).OrderByDescending(r => r.ReportedAtUtc).Take(MaxItems);
            var items = await ReportItems(db, reports).ToListAsync(cancellationToken);
            return open ? items.OrderBy(i => i.ReportedAtUtc).ToList() : items.OrderByDescending(i => i.ReportedAtUtc).ToList();
        }, cancellationToken);

    /// <summary>An override with its justification and every access made under it.</summary>
    public Task<OverrideDetail?> OverrideAsync(AuditContext who, long id, CancellationToken cancellationToken = default) =>
        commands.RunAsync<OverrideDetail?>(who, "review.override", Auditors, async command =>
        {
            var (db, actor) = (command.Db, command.Actor);
            var item = await OverrideItems(db, db.EmergencyOverrides.AsNoTracking().Where(o => o.Id == id)).SingleOrDefaultAsync(cancellationToken);
            var o = await db.EmergencyOverrides.AsNoTracking().SingleOrDefaultAsync(o => o.Id == id, cancellationToken);
            if (item is null || o is null)
            {
                return null;
            }

            // Audit times are whole microseconds: the window starts at the grant's microsecond.
            var from = new DateTime(o.GrantedAtUtc.Ticks - o.GrantedAtUtc.Ticks % 10, DateTimeKind.Utc);
            var accesses = await db.AuditEvents.AsNoTracking()
                .Where(e => e.PatientId == o.PatientId && e.ActorPersonnelId == o.PersonnelId && e.IsOverride
                    && e.OccurredAtUtc >= from && e.OccurredAtUtc <= o.ExpiresAtUtc)
                .OrderBy(e => e.Sequence)
                .Select(e => new AccessUnderOverride(e.Sequence, e.OccurredAtUtc, e.EventType, e.Level, e.Details, e.ClientAddress))
                .ToListAsync(cancellationToken);
            await command.AuditAsync(actor.Entry(AuditEventTypes.ReviewItemViewed, who,
                string.Create(CultureInfo.InvariantCulture, $"override={id}"), o.PatientId), cancellationToken);
            return new OverrideDetail(item, o.Justification, accesses, o.Findings, o.ReferredToProfessionalBody, o.ReviewedBy, o.ReviewedAtUtc)
            {
                Referral = o.ReferredTo is { } body
                    ? new ReferralDetail(body, o.ReferralReference, o.ReferralOutcome, o.ReferralPenalty, o.ReferralOutcomeRecordedAtUtc)
                    : null,
            };
        }, cancellationToken);

    public Task<ReportDetail?> ReportAsync(AuditContext who, long id, CancellationToken cancellationToken = default) =>
        commands.RunAsync<ReportDetail?>(who, "review.report", Auditors, async command =>
        {
            var (db, actor) = (command.Db, command.Actor);
            var item = await ReportItems(db, db.AccessReports.AsNoTracking().Where(r => r.Id == id)).SingleOrDefaultAsync(cancellationToken);
            var report = await db.AccessReports.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
            if (item is null || report is null)
            {
                return null;
            }

            var e = await db.AuditEvents.AsNoTracking().SingleAsync(e => e.Sequence == report.AuditSequence, cancellationToken);
            var person = e.ActorPersonnelId is { } pid
                ? await db.Personnel.AsNoTracking().Where(p => p.Id == pid).Select(p => p.Name).SingleOrDefaultAsync(cancellationToken)
                : null;
            await command.AuditAsync(actor.Entry(AuditEventTypes.ReviewItemViewed, who,
                string.Create(CultureInfo.InvariantCulture, $"report={id}"), report.PatientId), cancellationToken);
            return new ReportDetail(item, report.Comment, person, e.ActorRole, e.Level, e.IsOverride, e.Outcome, e.Reason, e.Details,
                report.Findings, report.ClosedBy, report.ClosedAtUtc)
            {
                Registration = report.RegistrationId is { } registrationId ? await RegistrationOfAsync(db, registrationId, cancellationToken) : null,
            };
        }, cancellationToken);

    /// <summary>
    /// The auditor's verdict on an override: appropriate, or inappropriate with findings (and perhaps a referral to the
    /// clinician's professional body, with the body's reference when known). The patient is told the verdict in plain
    /// words (notice and e-mail), in the same transaction as the verdict and its audit event.
    /// </summary>
    public async Task ReviewOverrideAsync(
        AuditContext who, long id, bool? appropriate, string? findings, ProfessionalBody? referTo, string? reference = null,
        CancellationToken cancellationToken = default)
    {
        // Who first: someone who may not give verdicts is refused (and audited) whatever they sent.
        await commands.RunAsync(who, "review.override-verdict", Auditors, async command =>
        {
            var (db, actor) = (command.Db, command.Actor);
            if (appropriate is null)
            {
                throw new DomainException("Choose a verdict: appropriate or inappropriate.");
            }

            if (findings?.Trim().Length > AccessReport.MaxFindingsLength)
            {
                throw new DomainException($"Findings have at most {AccessReport.MaxFindingsLength} characters.");
            }

            // One verdict per override: a second auditor at the same moment waits, then finds it reviewed.
            await command.ClaimAsync(DataClaim.Named(string.Create(CultureInfo.InvariantCulture, $"override:{id}")), cancellationToken);
            var o = await db.EmergencyOverrides.SingleOrDefaultAsync(o => o.Id == id, cancellationToken)
                ?? throw new DomainException("There is no such override.");
            o.Review(appropriate.Value, findings, referTo, actor.UserId, command.Now, reference);
            var by = await (from person in db.Personnel
                            join provider in db.Providers on person.ProviderId equals provider.Id
                            where person.Id == o.PersonnelId
                            select new { person.Role, Provider = provider.Name }).SingleAsync(cancellationToken);
            var (role, place, day) = (
                MessageArgument.Phrase(ProfessionalRoles.Display(by.Role).ToLowerInvariant()), MessageArgument.Text(by.Provider),
                MessageArgument.DayOf(o.GrantedAtUtc));
            await Notifications.PatientNotifier.NotifyAsync(db, o.PatientId, Notifications.NoticeKind.OverrideReviewed,
                appropriate.Value
                    ? new PatientMessage("MOH auditors reviewed the emergency override of your record by a {0} at {1} on {2} and found it appropriate: it was needed for your care.", role, place, day)
                    : new PatientMessage("MOH auditors reviewed the emergency override of your record by a {0} at {1} on {2} and found it was not appropriate. Corrective action follows.", role, place, day),
                command.Now, o.Id, cancellationToken);
            await command.AuditAsync(actor.Entry(AuditEventTypes.OverrideReviewed, who, string.Create(CultureInfo.InvariantCulture,
                $"override={id}; verdict={o.ReviewStatus}; referred={o.ReferredToProfessionalBody}{(o.ReferredTo is { } body ? $"; body={body}; reference={o.ReferralReference}" : "")}; findings={o.Findings}"), o.PatientId), cancellationToken);
        }, cancellationToken);
    }

    /// <summary>
    /// The professional body's decision on a referred override, recorded by an auditor when it comes back: the body's
    /// reference, its outcome and its penalty (none when empty); once, audited.
    /// </summary>
    public Task RecordReferralOutcomeAsync(
        AuditContext who, long id, string? reference, string? outcome, string? penalty, CancellationToken cancellationToken = default) =>
        commands.RunAsync(who, "review.referral-outcome", Auditors, async command =>
        {
            var (db, actor) = (command.Db, command.Actor);
            await command.ClaimAsync(DataClaim.Named(string.Create(CultureInfo.InvariantCulture, $"override:{id}")), cancellationToken);
            var o = await db.EmergencyOverrides.SingleOrDefaultAsync(o => o.Id == id, cancellationToken)
                ?? throw new DomainException("There is no such override.");
            o.RecordReferralOutcome(reference, outcome, penalty, actor.UserId, command.Now);
            await command.AuditAsync(actor.Entry(AuditEventTypes.ReferralOutcomeRecorded, who, string.Create(CultureInfo.InvariantCulture,
                $"override={id}; body={o.ReferredTo}; reference={o.ReferralReference}; outcome={o.ReferralOutcome}; penalty={o.ReferralPenalty ?? "none"}"), o.PatientId), cancellationToken);
        }, cancellationToken);

    /// <summary>Closes a patient's report: the access was inappropriate (confirmed) or not (dismissed), with findings.</summary>
    public Task CloseReportAsync(AuditContext who, long id, bool? confirmed, string? findings, CancellationToken cancellationToken = default) =>
        commands.RunAsync(who, "review.report-close", Auditors, async command =>
        {
            var (db, actor) = (command.Db, command.Actor);
            if (confirmed is null)
            {
                throw new DomainException("Choose an outcome: the access was inappropriate, or it was appropriate.");
            }

            await command.ClaimAsync(DataClaim.Named(string.Create(CultureInfo.InvariantCulture, $"report:{id}")), cancellationToken);
            var report = await db.AccessReports.SingleOrDefaultAsync(r => r.Id == id, cancellationToken)
                ?? throw new DomainException("There is no such case.");
            var now = command.Now;
            report.Close(confirmed.Value, findings ?? string.Empty, actor.UserId, now);
            await Notifications.PatientNotifier.NotifyAsync(db, report.PatientId, Notifications.NoticeKind.ReportClosed,
                (confirmed.Value, report.IsAboutRegistration) switch
                {
                    (true, false) => new PatientMessage("MOH auditors looked into the access you reported and found it inappropriate. Corrective action follows."),
                    (false, false) => new PatientMessage("MOH auditors looked into the access you reported and found it was part of your care."),
                    (true, true) => new PatientMessage("MOH auditors looked into the care registration you reported and found it inappropriate. Corrective action follows."),
                    (false, true) => new PatientMessage("MOH auditors looked into the care registration you reported and found it was part of your care."),
                },
                now, cancellationToken: cancellationToken);
            await command.AuditAsync(actor.Entry(AuditEventTypes.ReportClosed, who, string.Create(CultureInfo.InvariantCulture,
                $"report={id}; outcome={report.Status}; findings={report.Findings}"), report.PatientId), cancellationToken);
        }, cancellationToken);

    private static readonly string[] Auditors = [Roles.MohAuditor];

    private static IQueryable<OverrideQueueItem> OverrideItems(NehrDbContext db, IQueryable<EmergencyOverride> overrides) =>
        from o in overrides
        join patient in db.Patients on o.PatientId equals patient.Id
        join person in db.Personnel on o.PersonnelId equals person.Id
        join provider in db.Providers on o.ProviderId equals provider.Id
        select new OverrideQueueItem(
            o.Id, o.GrantedAtUtc, o.ExpiresAtUtc, patient.Name, patient.Nric.Value, person.Name, person.Role, provider.Name, o.Reason, o.ReviewStatus);

    private static IQueryable<ReportQueueItem> ReportItems(NehrDbContext db, IQueryable<AccessReport> reports) =>
        from r in reports
        join patient in db.Patients on r.PatientId equals patient.Id
        join e in db.AuditEvents on r.AuditSequence equals e.Sequence
        select new ReportQueueItem(
            r.Id, r.ReportedAtUtc, patient.Name, patient.Nric.Value, e.OccurredAtUtc,
            r.RegistrationId != null
                ? db.CareRegistrations.Where(c => c.Id == r.RegistrationId).Join(db.Providers, c => c.ProviderId, p => p.Id, (c, p) => p.Name).FirstOrDefault()
                : db.Providers.Where(p => p.Id == e.ActorProviderId).Select(p => p.Name).FirstOrDefault(),
            r.Status)
        {
            RegistrationId = r.RegistrationId,
        };

    /// <summary>A reported registration: by an administrator (their name) or a system's encounter (the system's name).</summary>
    private static async Task<ReportedRegistration?> RegistrationOfAsync(NehrDbContext db, long id, CancellationToken cancellationToken)
    {
        var r = await db.CareRegistrations.AsNoTracking().Where(c => c.Id == id)
            .Join(db.Providers, c => c.ProviderId, p => p.Id, (c, p) => new { c, Provider = p.Name })
            .SingleOrDefaultAsync(cancellationToken);
        if (r is null)
        {
            return null;
        }

        var by = r.c.SystemId is { } systemId
            ? await db.SystemConnections.AsNoTracking().Where(s => s.Id == systemId).Select(s => "System " + s.Name).SingleOrDefaultAsync(cancellationToken)
            : await db.Users.AsNoTracking().Where(u => u.Id == r.c.RegisteredBy).Select(u => u.DisplayName).SingleOrDefaultAsync(cancellationToken);
        return new ReportedRegistration(
            r.c.Id, r.Provider, r.c.Source, by ?? "Not recorded", r.c.RegisteredAtUtc, r.c.ExpiresAtUtc, r.c.EndedAtUtc);
    }
}
