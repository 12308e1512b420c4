using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Access;
using Nehr.Core.Administration;
using Nehr.Core.Audit;
using Nehr.Core.Identity;
using Nehr.Core.Notifications;
using Nehr.Core.Records;

namespace Nehr.Core.Oversight;

public sealed record AlertCaseRow(
    long Id, AlertRule Rule, AlertSeverity Severity, AlertStatus Status, DateTime RaisedAtUtc, DateTime LastEventAtUtc, int EventCount,
    int? PersonnelId, string? PersonName, ProfessionalRole? Role, string? ProviderName, int? PatientId, string? PatientName, string? PatientNric,
    string Summary);

/// <summary>An audit event kept as evidence for a case.</summary>
public sealed record AlertEvidenceRow(
    long Sequence, DateTime AtUtc, string EventType, AccessLevel? Level, bool IsOverride, AuditOutcome Outcome, string? PatientName, string? Details);

public sealed record AlertCaseDetail(
    AlertCaseRow Case, IReadOnlyList<AlertEvidenceRow> Evidence, bool PersonSuspended, string? Findings, string? ClosedBy, DateTime? ClosedAtUtc);

/// <summary>How a rule's cases ended: the false-alarm rate is of the closed ones, so that thresholds can be tuned.</summary>
public sealed record AlertRuleStatistics(AlertRule Rule, int Raised, int Open, int Justified, int Misuse, int FalseAlarm)
{
    public int Closed => Justified + Misuse + FalseAlarm;

    /// <summary>False alarms among the closed cases; null before any is closed.</summary>
    public double? FalseAlarmRate => Closed == 0 ? null : (double)FalseAlarm / Closed;
}

public sealed record FlaggedRecordRow(int PatientId, string PatientName, string PatientNric, RecordFlag Flag, string? Note, DateTime FlaggedAtUtc);

/// <summary>
/// The MOH auditors' cases raised by <see cref="AlertScanner"/>: the queue, a case with its evidence, the verdict
/// (justified, misuse, false alarm) and each rule's outcomes; and the records MOH administrators flag. Every look at
/// a case and every change is audited with it.
/// </summary>
public sealed class AlertCases(Commands.Commands commands, AlertScanner scanner)
{
    public const int MaxItems = 200;

    /// <summary>The longest period judged again at once.</summary>
    public const int MaxRecomputeDays = 92;

    private static readonly string[] Auditors = [Roles.MohAuditor];
    private static readonly string[] Administrators = [Roles.MohAdmin];

    /// <summary>Cases, the most severe and oldest first when open; the latest closed first otherwise.</summary>
    public Task<IReadOnlyList<AlertCaseRow>> QueueAsync(AuditContext who, bool open, AlertRule? rule = null, CancellationToken cancellationToken = default) =>
        commands.ReadAsync<IReadOnlyList<AlertCaseRow>>(who, "alerts.queue", Auditors, async command =>
        {
            var cases = command.Db.AlertCases.AsNoTracking().Where(c => open ? c.Status == AlertStatus.Open : c.Status != AlertStatus.Open);
            if (rule is { } r)
            {
                cases = cases.Where(c => c.Rule == r);
            }

            // Severity is stored as its rank, so the database orders by it.
            return await Rows(command.Db, open
                    ? cases.OrderByDescending(c => c.Severity).ThenBy(c => c.RaisedAtUtc).Take(MaxItems)
                    : cases.OrderByDescending(c => c.ClosedAtUtc).Take(MaxItems))
                .ToListAsync(cancellationToken);
        }, cancellationToken);

    /// <summary>Each rule's cases by outcome, every rule listed.</summary>
    public Task<IReadOnlyList<AlertRuleStatistics>> StatisticsAsync(AuditContext who, CancellationToken cancellationToken = default) =>
        commands.ReadAsync<IReadOnlyList<AlertRuleStatistics>>(who, "alerts.statistics", Auditors, async command =>
        {
            var counts = await command.Db.AlertCases.AsNoTracking().GroupBy(c => new { c.Rule, c.Status })
                .Select(g => new { g.Key.Rule, g.Key.Status, Count = g.Count() }).ToListAsync(cancellationToken);
            int Count(AlertRule rule, AlertStatus status) => counts.Where(c => c.Rule == rule && c.Status == status).Sum(c => c.Count);
            return Enum.GetValues<AlertRule>().Select(rule => new AlertRuleStatistics(
                rule, counts.Where(c => c.Rule == rule).Sum(c => c.Count), Count(rule, AlertStatus.Open), Count(rule, AlertStatus.Justified),
                Count(rule, AlertStatus.Misuse), Count(rule, AlertStatus.FalseAlarm))).ToList();
        }, cancellationToken);

    /// <summary>A case with its evidence, the events linked by their sequence in the audit trail. The look is audited.</summary>
    public Task<AlertCaseDetail?> CaseAsync(AuditContext who, long id, CancellationToken cancellationToken = default) =>
        commands.RunAsync<AlertCaseDetail?>(who, "alerts.case", Auditors, async command =>
        {
            var db = command.Db;
            var row = await Rows(db, db.AlertCases.AsNoTracking().Where(c => c.Id == id)).SingleOrDefaultAsync(cancellationToken);
            var c = await db.AlertCases.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
            if (row is null || c is null)
            {
                return null;
            }

            var evidence = await (
                    from link in db.AlertEvidence.AsNoTracking()
                    where link.CaseId == id
                    join e in db.AuditEvents on link.Sequence equals e.Sequence
                    orderby e.Sequence
                    select new AlertEvidenceRow(
                        e.Sequence, e.OccurredAtUtc, e.EventType, e.Level, e.IsOverride, e.Outcome,
                        db.Patients.Where(p => p.Id == e.PatientId).Select(p => p.Name).FirstOrDefault(), e.Details))
                .ToListAsync(cancellationToken);
            var suspended = c.PersonnelId is { } personnelId
                && await db.Personnel.AnyAsync(p => p.Id == personnelId && p.NehrAccessSuspended, cancellationToken);
            var closedBy = c.ClosedBy is { } userId
                ? await db.Users.Where(u => u.Id == userId).Select(u => u.DisplayName).SingleOrDefaultAsync(cancellationToken)
                : null;
            await command.AuditAsync(command.Actor.Entry(AuditEventTypes.ReviewItemViewed, who,
                string.Create(CultureInfo.InvariantCulture, $"alert={id}"), c.PatientId), cancellationToken);
            return new AlertCaseDetail(row, evidence, suspended, c.Findings, closedBy, c.ClosedAtUtc);
        }, cancellationToken);

    /// <summary>
    /// The auditor's verdict: justified, misuse (with findings) or a false alarm. On misuse of one patient's record (a
    /// case with a patient: a case about a pattern has none) the patient is told, in plain words; corrective action (a
    /// suspension) is the MOH administrators'. A closed case frees its key, so that a later event raises a new case.
    /// </summary>
    public Task CloseAsync(AuditContext who, long id, AlertStatus? outcome, string? findings, CancellationToken cancellationToken = default) =>
        commands.RunAsync(who, "alerts.close", Auditors, async command =>
        {
            if (outcome is null or AlertStatus.Open || !Enum.IsDefined(outcome.Value))
            {
                throw new DomainException("Choose an outcome: justified, misuse or false alarm.");
            }

            var (db, actor, now) = (command.Db, command.Actor, command.Now);
            var c = await db.AlertCases.SingleOrDefaultAsync(c => c.Id == id, cancellationToken)
                ?? throw new DomainException("There is no such case.");
            c.Close(outcome.Value, findings, actor.UserId, now);
            if (outcome == AlertStatus.Misuse && c.PatientId is { } patientId && c.PersonnelId is { } personnelId)
            {
                var person = await db.Personnel.AsNoTracking().Where(p => p.Id == personnelId)
                    .Select(p => new { p.Role, Provider = db.Providers.Where(v => v.Id == p.ProviderId).Select(v => v.Name).Single() })
                    .SingleAsync(cancellationToken);
                await PatientNotifier.NotifyAsync(db, patientId, NoticeKind.AccessReviewed,
                    new PatientMessage(MisuseNotice,
                        MessageArgument.Phrase(ProfessionalRoles.Display(person.Role).ToLowerInvariant()), MessageArgument.Text(person.Provider),
                        MessageArgument.DayOf(c.LastEventAtUtc)),
                    now, cancellationToken: cancellationToken);
            }

            await command.AuditAsync(actor.Entry(AuditEventTypes.AlertClosed, who, string.Create(CultureInfo.InvariantCulture,
                $"alert={id}; rule={c.Rule}; outcome={c.Status}; personnel={c.PersonnelId}; findings={c.Findings}"), c.PatientId), cancellationToken);
        }, cancellationToken);

    /// <summary>The notice to a patient when an access to their record is found to be misuse.</summary>
    public const string MisuseNotice =
        "MOH auditors reviewed an access to your record by a {0} at {1} on {2} and found that it was not part of your care. Corrective action follows.";

    /// <summary>
    /// Judges the audit events of a past period again (after a threshold changed): the request is audited first, then
    /// the scanner runs over the period. Returns how many events it judged.
    /// </summary>
    public async Task<int> RecomputeAsync(AuditContext who, DateOnly? from, DateOnly? to, CancellationToken cancellationToken = default)
    {
        await commands.RunAsync(who, "alerts.recompute", Auditors, async command =>
        {
            if (from is null || to is null)
            {
                throw new DomainException("Give the first and the last day of the period.");
            }

            if (to < from)
            {
                throw new DomainException("The last day is before the first.");
            }

            if (to.Value.DayNumber - from.Value.DayNumber + 1 > MaxRecomputeDays)
            {
                throw new DomainException($"A period has at most {MaxRecomputeDays} days.");
            }

            if (to > LocalTime.Today(command.Now))
            {
                throw new DomainException("The period ends in the future.");
            }

            await command.AuditAsync(command.Actor.Entry(AuditEventTypes.AlertsRecomputed, who,
                FormattableString.Invariant($"from={from:yyyy-MM-dd}; to={to:yyyy-MM-dd}")), cancellationToken);
        }, cancellationToken);

        return await scanner.RecomputeAsync(from!.Value, to!.Value, cancellationToken);
    }

    public Task<IReadOnlyList<FlaggedRecordRow>> FlaggedAsync(AuditContext who, CancellationToken cancellationToken = default) =>
        commands.ReadAsync<IReadOnlyList<FlaggedRecordRow>>(who, "flags.list", Administrators, async command =>
            await (from f in command.Db.FlaggedRecords.AsNoTracking()
                   join p in command.Db.Patients on f.PatientId equals p.Id
                   orderby p.Name
                   select new FlaggedRecordRow(p.Id, p.Name, p.Nric.Value, f.Flag, f.Note, f.FlaggedAtUtc))
                .Take(MaxItems * 5).ToListAsync(cancellationToken), cancellationToken);

    /// <summary>Flags a person's record (found by NRIC): from the next scan, every access to it is a case.</summary>
    public Task<FlaggedRecordRow> FlagAsync(AuditContext who, string? nric, RecordFlag? flag, string? note, CancellationToken cancellationToken = default) =>
        commands.RunAsync(who, "flags.set", Administrators, async command =>
        {
            if (!Nric.TryParse(nric, out var parsed, out var error))
            {
                throw Field("Nric", error);
            }

            if (flag is null || !Enum.IsDefined(flag.Value))
            {
                throw Field("Flag", "Choose why the record is flagged.");
            }

            var (db, actor, now) = (command.Db, command.Actor, command.Now);
            var patient = await db.Patients.AsNoTracking().Where(p => p.Nric == parsed).Select(p => new { p.Id, p.Name }).SingleOrDefaultAsync(cancellationToken)
                ?? throw Field("Nric", $"No person in the NEHR has the NRIC {parsed.Value}.");
            if (await db.FlaggedRecords.AnyAsync(f => f.PatientId == patient.Id, cancellationToken))
            {
                throw Field("Nric", $"{patient.Name}'s record is already flagged.");
            }

            var flagged = new FlaggedRecord(patient.Id, flag.Value, note, actor.UserId, now);
            db.FlaggedRecords.Add(flagged);
            await command.AuditAsync(actor.Entry(AuditEventTypes.RecordFlagged, who,
                $"flag={flag.Value}; note={flagged.Note}", patient.Id), cancellationToken);
            return new FlaggedRecordRow(patient.Id, patient.Name, parsed.Value, flagged.Flag, flagged.Note, now);
        }, cancellationToken);

    public Task UnflagAsync(AuditContext who, int patientId, CancellationToken cancellationToken = default) =>
        commands.RunAsync(who, "flags.remove", Administrators, async command =>
        {
            var (db, actor) = (command.Db, command.Actor);
            var flagged = await db.FlaggedRecords.SingleOrDefaultAsync(f => f.PatientId == patientId, cancellationToken)
                ?? throw new DomainException("This record is not flagged.");
            db.FlaggedRecords.Remove(flagged);
            await command.AuditAsync(actor.Entry(AuditEventTypes.RecordUnflagged, who, $"flag={flagged.Flag}", patientId), cancellationToken);
        }, cancellationToken);

    private static DomainException Field(string field, string message) => new(new Dictionary<string, string> { [field] = message });

    private static IQueryable<AlertCaseRow> Rows(Data.NehrDbContext db, IQueryable<AlertCase> cases) =>
        from c in cases
        join person in db.Personnel on c.PersonnelId equals person.Id into people
        from person in people.DefaultIfEmpty()
        join provider in db.Providers on c.ProviderId equals provider.Id into providers
        from provider in providers.DefaultIfEmpty()
        join patient in db.Patients on c.PatientId equals patient.Id into patients
        from patient in patients.DefaultIfEmpty()
        select new AlertCaseRow(
            c.Id, c.Rule, c.Severity, c.Status, c.RaisedAtUtc, c.LastEventAtUtc, c.EventCount, c.PersonnelId,
            person == null ? null : person.Name, person == null ? null : person.Role, provider == null ? null : provider.Name, c.PatientId,
            patient == null ? null : patient.Name, patient == null ? null : patient.Nric.Value, c.Summary);
}
