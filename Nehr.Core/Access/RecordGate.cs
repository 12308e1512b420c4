using Nehr.Core.Representatives;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Administration;
using Nehr.Core.Audit;
using Nehr.Core.Commands;
using Nehr.Core.Data;
using Nehr.Core.Identity;
using Nehr.Core.Notifications;
using Nehr.Core.Records;

namespace Nehr.Core.Access;

/// <summary>
/// The only way to read clinical entries. Each read decides from current data at that moment (one snapshot), loads
/// exactly what the decision allows, and returns it only once its audit event is durable; a denied read is audited too.
/// </summary>
public sealed class RecordGate(Commands.Commands commands, Microsoft.Extensions.Options.IOptionsMonitor<RecertificationOptions> recertification)
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    /// <summary>Opens a patient's record: the decision and the first page of every kind it allows.</summary>
    public Task<RecordView> OpenAsync(RecordRequest request, CancellationToken cancellationToken = default) =>
        ReadAsync(request, kind: null, page: 1, DefaultPageSize, cancellationToken);

    /// <summary>Reads one page of one kind (decided again: a restriction or suspension applies at once).</summary>
    public Task<RecordView> ReadPageAsync(
        RecordRequest request, EntryKind kind, int page, int pageSize = DefaultPageSize, CancellationToken cancellationToken = default) =>
        ReadAsync(request, kind, page, pageSize, cancellationToken);

    /// <summary>A patient reading their own record (always the full record, always audited).</summary>
    public Task<RecordView> OpenOwnRecordAsync(
        AuditContext who, EntryKind? kind = null, int page = 1, int pageSize = DefaultPageSize, CancellationToken cancellationToken = default)
    {
        ValidatePaging(page, pageSize);
        return OwnAsync(who, kind, page, pageSize, AuditEventTypes.RecordRead, null, cancellationToken);
    }

    /// <summary>At most this many entries of each kind go into a patient's own summary.</summary>
    public const int MaxExportPerKind = 1000;

    /// <summary>
    /// The whole record a patient (or their representative, allowed to see it) takes away: every current entry of each
    /// kind, up to <see cref="MaxExportPerKind"/>, audited as <c>record.exported</c> with its format before anything leaves.
    /// </summary>
    public Task<RecordView> ExportOwnRecordAsync(AuditContext who, string format, CancellationToken cancellationToken = default) =>
        OwnAsync(who, null, 1, MaxExportPerKind, AuditEventTypes.RecordExported, $"format={format}", cancellationToken);

    private async Task<RecordView> OwnAsync(
        AuditContext who, EntryKind? kind, int page, int pageSize, string eventType, string? what, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(who);
        var (view, e) = await commands.ReadAuditedAsync(who, async (db, now) =>
        {
            var patientId = await db.Users.Where(u => who.UserId != null && u.Id == who.UserId)
                .Select(u => u.PatientId).SingleOrDefaultAsync(cancellationToken);
            // Acting for someone: their record, if the representation allows it now (else refused, audited). A
            // representative is never a provider: the access rules for staff play no part.
            var subject = patientId is not null && who.RepresentationId is not null
                ? await commands.SubjectAsync(db, who, "open a represented patient's record", RepresentativePowers.SeeRecord, now, cancellationToken)
                : null;
            patientId = subject?.PatientId ?? patientId;
            var decision = patientId is null
                ? new AccessDecision(AccessLevel.Denied, DecisionReason.NotOwnRecord)
                : new AccessDecision(AccessLevel.Full, subject is null ? DecisionReason.OwnRecord : DecisionReason.RepresentedPatient);
            var view = await LoadAsync(db, patientId ?? 0, known: null, decision, kind, page, pageSize, overrideExpires: null, withdrawn: true, cancellationToken);
            return new AuditedRead<RecordView>(view, new AuditEntry
            {
                OccurredAtUtc = now,
                EventType = eventType,
                CorrelationId = who.CorrelationId,
                ActorUserId = who.UserId,
                ActorRole = subject is null ? Roles.Patient : PatientSelf.RepresentativeRole,
                ClientAddress = who.ClientAddress,
                PatientId = patientId,
                Level = decision.Level,
                Reason = decision.Reason.ToString(),
                Outcome = decision.AllowsClinicalData ? AuditOutcome.Success : AuditOutcome.Denied,
                Details = (what is null ? "" : what + "; ") + (subject?.Representation is { } r
                    ? string.Create(CultureInfo.InvariantCulture, $"{Details("representative", kind, page)}; representation={r.Id}; kind={r.Kind}; representative={subject.OwnPatientId}")
                    : Details("self", kind, page)),
            });
        }, cancellationToken);
        return view with { AuditSequence = e.Sequence };
    }

    private async Task<RecordView> ReadAsync(
        RecordRequest request, EntryKind? kind, int page, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ValidatePaging(page, pageSize);
        // The decision and the read see one snapshot of the database, without the write lock; the event goes to the
        // group commit, and the view leaves when it is durable (Commands.ReadAuditedAsync).
        var (view, e) = await commands.ReadAuditedAsync(request.Who, async (db, now) =>
        {
            var facts = await AccessFacts.LoadAsync(db, request.Who.UserId, request.PatientId, now, recertification.CurrentValue, cancellationToken);
            var decision = AccessRules.Decide(facts.ToRequest(request.Purpose));
            var view = await LoadAsync(
                db, request.PatientId, facts.Patient, decision, kind, page, pageSize,
                decision.IsOverride ? facts.OverrideExpiresAtUtc : null, withdrawn: false, cancellationToken);
            var entry = facts.AuditEntry(AuditEventTypes.RecordRead, request.Who, request.PatientId, decision, Details(request.Purpose.Code, kind, page)) with { OccurredAtUtc = now };
            // Almost always the provider has been here before; the first time, the patient is told, with the event
            // (checked again under the write lock).
            return decision.AllowsClinicalData && facts.Provider is { } provider && facts.Person is { } person && !facts.ProviderAccessedBefore
                ? new AuditedRead<RecordView>(view, entry, (writer, token) => NoteFirstAccessAsync(writer, request.PatientId, provider, person, decision, now, token))
                : new AuditedRead<RecordView>(view, entry);
        }, cancellationToken);
        return view with { AuditSequence = e.Sequence };
    }

    private static Task<bool> AccessedBeforeAsync(NehrDbContext db, int patientId, Provider provider, CancellationToken cancellationToken) =>
        db.PatientProviderAccesses.AnyAsync(a => a.PatientId == patientId && a.ProviderId == provider.Id, cancellationToken);

    /// <summary>The first access by a provider's staff is told to the patient (in the transaction of the read's event, checked again under the write lock).</summary>
    private static async Task NoteFirstAccessAsync(
        NehrDbContext db, int patientId, Provider provider, Personnel person, AccessDecision decision, DateTime now,
        CancellationToken cancellationToken)
    {
        if (await AccessedBeforeAsync(db, patientId, provider, cancellationToken))
        {
            return;
        }

        db.PatientProviderAccesses.Add(new PatientProviderAccess(patientId, provider.Id, now));
        var what = decision.Level == AccessLevel.Full
            ? MessageArgument.Phrase("your full record")
            : MessageArgument.Phrase("the basic set of your record");
        await PatientNotifier.NotifyAsync(
            db, patientId, NoticeKind.FirstAccessByProvider,
            new PatientMessage("{0} accessed your record for the first time: a {1} saw {2} on {3}.",
                MessageArgument.Text(provider.Name), MessageArgument.Phrase(ProfessionalRoles.Display(person.Role).ToLowerInvariant()), what,
                MessageArgument.MomentNamed(now)),
            now, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// What the decision allows. Entries the source withdrew (entered in error) are hidden from every clinical view and
    /// shown only to the patient, marked as withdrawn (<paramref name="withdrawn"/>). The demographics come from
    /// <paramref name="known"/> when the decision's facts already read them.
    /// </summary>
    private static async Task<RecordView> LoadAsync(
        NehrDbContext db, int patientId, PatientDemographics? known, AccessDecision decision, EntryKind? onlyKind, int page, int pageSize,
        DateTime? overrideExpires, bool withdrawn, CancellationToken cancellationToken)
    {
        var pages = new Dictionary<EntryKind, EntryPage>();
        if (!decision.AllowsClinicalData)
        {
            return new RecordView(decision, null, pages, null, 0);
        }

        var patient = known ?? AccessFacts.DemographicsOf(await db.Patients.AsNoTracking().SingleAsync(p => p.Id == patientId, cancellationToken));
        var kinds = RecordView.KindsFor(decision.Level).Where(k => onlyKind is null || k == onlyKind).ToList();
        if (kinds.Count == 0)
        {
            return new RecordView(decision, patient, pages, overrideExpires, 0);
        }

        var entries = db.ClinicalEntries.AsNoTracking()
            .Where(e => e.PatientId == patientId && (withdrawn || e.WithdrawnAtUtc == null))
            .Where(e => kinds.Contains(EF.Property<EntryKind>(e, ClinicalEntryColumns.Kind)));
        // Most records are short: on a first page, one query reads every entry of the kinds asked for, up to a limit,
        // and the pages and their totals are made from it.
        if (page == 1)
        {
            var together = new List<ClinicalEntry>();
            await foreach (var e in FirstEntriesQuery(db, patientId, withdrawn, [.. kinds], ReadTogether + 1).WithCancellation(cancellationToken))
            {
                together.Add(e);
            }

            if (together.Count <= ReadTogether)
            {
                var byKind = together.ToLookup(e => e.Kind);
                foreach (var kind in kinds)
                {
                    var all = byKind[kind].ToList();
                    pages[kind] = new EntryPage(kind, page, pageSize, all.Count, all.Take(pageSize).ToList());
                }

                return new RecordView(decision, patient, pages, overrideExpires, 0);
            }
        }

        var counts = await entries
            .GroupBy(e => EF.Property<EntryKind>(e, ClinicalEntryColumns.Kind))
            .Select(g => new { Kind = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Kind, g => g.Count, cancellationToken);
        foreach (var kind in kinds)
        {
            var total = counts.GetValueOrDefault(kind);
            var items = total == 0
                ? []
                : await entries
                    .Where(e => EF.Property<EntryKind>(e, ClinicalEntryColumns.Kind) == kind)
                    .OrderByDescending(e => e.OccurredAtUtc).ThenByDescending(e => e.Id)
                    .Skip((page - 1) * pageSize).Take(pageSize)
                    .ToListAsync(cancellationToken);
            pages[kind] = new EntryPage(kind, page, pageSize, total, items);
        }

        return new RecordView(decision, patient, pages, overrideExpires, 0);
    }

    /// <summary>A record with at most this many entries of the kinds asked for is read in one query on its first page.</summary>
    internal const int ReadTogether = 200;

    /// <summary>The newest entries of the kinds asked for (withdrawn ones too when <c>withdrawn</c>), compiled once.</summary>
    private static readonly Func<NehrDbContext, int, bool, EntryKind[], int, IAsyncEnumerable<ClinicalEntry>> FirstEntriesQuery =
        EF.CompileAsyncQuery((NehrDbContext db, int patientId, bool withdrawn, EntryKind[] kinds, int take) => db.ClinicalEntries.AsNoTracking()
            .Where(e => e.PatientId == patientId && (withdrawn || e.WithdrawnAtUtc == null))
            .Where(e => kinds.Contains(EF.Property<EntryKind>(e, ClinicalEntryColumns.Kind)))
            .OrderByDescending(e => e.OccurredAtUtc).ThenByDescending(e => e.Id)
            .Take(take));

    private static void ValidatePaging(int page, int pageSize)
    {
        if (page < 1)
        {
            throw new DomainException("Pages are numbered from 1.");
        }

        if (pageSize is < 1 or > MaxPageSize)
        {
            throw new DomainException($"A page has 1 to {MaxPageSize} entries.");
        }
    }

    private static string Details(string purpose, EntryKind? kind, int page) => kind is null
        ? string.Create(CultureInfo.InvariantCulture, $"purpose={purpose}; view=open")
        : string.Create(CultureInfo.InvariantCulture, $"purpose={purpose}; kind={kind}; page={page}");
}

/// <summary>The column behind the entry kind (the table-per-hierarchy discriminator).</summary>
public static class ClinicalEntryColumns
{
    public const string Kind = "EntryKind";
}

/// <summary>The current facts about an accessor and a patient that the access decision needs.</summary>
internal sealed record AccessFacts(
    string? UserId, bool AccountActive, Personnel? Person, Provider? Provider, bool Registered,
    RestrictionMode Restriction, bool AllowsProvider, DateTime? OverrideExpiresAtUtc)
{
    /// <summary>The patient's demographics, read with the facts (null when there is no such patient).</summary>
    public PatientDemographics? Patient { get; init; }

    /// <summary>Someone of the reader's provider has read this record before (a first access is told to the patient).</summary>
    public bool ProviderAccessedBefore { get; init; }

    /// <summary>The demographics a record view shows.</summary>
    public static PatientDemographics DemographicsOf(Patient p) =>
        new(p.Id, p.Nric.Value, p.Name, p.DateOfBirth, p.Sex, p.Race, p.RestrictionMode)
        {
            DemographicsConfirmed = p.DemographicsConfirmed,
            IsDeceased = p.IsDeceased,
            DateOfDeath = p.DateOfDeath,
        };

    /// <summary>The provider's recertification is overdue past its grace period, now.</summary>
    public bool RecertificationLapsed { get; init; }

    private sealed record ActorRow(string Id, DateTimeOffset? LockoutEnd, Personnel? Person, Provider? Provider);

    private sealed record PatientRow(Patient Patient, bool AccessedBefore, bool Allows, bool Registered, DateTime? OverrideExpires);

    private static readonly Func<NehrDbContext, string, CancellationToken, Task<ActorRow?>> ActorQuery =
        EF.CompileAsyncQuery((NehrDbContext db, string userId, CancellationToken _) => (
                from u in db.Users.AsNoTracking()
                where u.Id == userId
                join p in db.Personnel.AsNoTracking() on u.PersonnelId equals p.Id into people
                from p in people.DefaultIfEmpty()
                join pr in db.Providers.AsNoTracking() on p.ProviderId equals pr.Id into providers
                from pr in providers.DefaultIfEmpty()
                select new ActorRow(u.Id, u.LockoutEnd, p, pr))
            .SingleOrDefault());

    private static readonly Func<NehrDbContext, int, int?, int?, DateTime, CancellationToken, Task<PatientRow?>> PatientQuery =
        EF.CompileAsyncQuery((NehrDbContext db, int patientId, int? providerId, int? personId, DateTime now, CancellationToken _) => db.Patients.AsNoTracking()
            .Where(p => p.Id == patientId)
            .Select(p => new PatientRow(
                p,
                providerId != null && db.PatientProviderAccesses.Any(a => a.PatientId == patientId && a.ProviderId == providerId),
                providerId != null && p.AllowedProviders.Any(a => a.ProviderId == providerId),
                // Current: begun, not ended, not expired (CareRegistrationQueries.CurrentAt, written out for the query).
                providerId != null && db.CareRegistrations.Any(r => r.PatientId == patientId && r.ProviderId == providerId
                    && r.EndedAtUtc == null && r.RegisteredAtUtc <= now && (r.ExpiresAtUtc == null || r.ExpiresAtUtc > now)),
                personId == null
                    ? null
                    : db.EmergencyOverrides
                        .Where(o => o.PersonnelId == personId && o.PatientId == patientId && o.GrantedAtUtc <= now && o.ExpiresAtUtc > now)
                        .OrderByDescending(o => o.ExpiresAtUtc)
                        .Select(o => (DateTime?)o.ExpiresAtUtc)
                        .FirstOrDefault()))
            .SingleOrDefault());

    public static async Task<AccessFacts> LoadAsync(
        NehrDbContext db, string? userId, int patientId, DateTime now, RecertificationOptions recertification, CancellationToken cancellationToken)
    {
        // Two queries, compiled once: the accessor with their staff record and provider, then everything about the
        // patient (with the demographics a view shows and whether the provider read the record before).
        var actor = userId is null ? null : await ActorQuery(db, userId, cancellationToken);
        var person = actor?.Person;
        var provider = actor?.Provider;
        var patient = await PatientQuery(db, patientId, provider?.Id, person?.Id, now, cancellationToken);
        var registered = patient?.Registered ?? false;
        var overrideExpires = patient?.OverrideExpires;
        var accountActive = actor is not null && (actor.LockoutEnd is null || actor.LockoutEnd <= now) && person?.IsActive != false;
        return new AccessFacts(
            actor?.Id, accountActive, person, provider, registered,
            patient?.Patient.RestrictionMode ?? RestrictionMode.RestrictAll, patient?.Allows ?? false, overrideExpires)
        {
            RecertificationLapsed = provider is not null && RecertificationStatus.Of(provider, now, recertification).State == RecertificationState.Lapsed,
            Patient = patient is null ? null : DemographicsOf(patient.Patient),
            ProviderAccessedBefore = patient?.AccessedBefore ?? false,
        };
    }

    public AccessRequest ToRequest(PurposeOfUse purpose) => new()
    {
        Purpose = purpose,
        AccountActive = AccountActive,
        PersonNehrAccessSuspended = Person?.NehrAccessSuspended ?? false,
        PersonInvolvedInCare = Person is { InvolvedInCare: true } && ProfessionalRoles.IsCareRole(Person.Role),
        // Someone who is not provider staff has no provider; rule 3 (not in care) then refuses them.
        ProviderOnboarded = Provider is null || Provider.OnboardingState == OnboardingState.Onboarded,
        ProviderNehrAccessSuspended = Provider?.NehrAccessSuspended ?? false,
        ProviderRecertificationLapsed = RecertificationLapsed,
        PatientRegisteredWithProvider = Registered,
        Restriction = Restriction,
        PatientAllowsProvider = AllowsProvider,
        OverrideActive = OverrideExpiresAtUtc is not null,
    };

    public AuditEntry AuditEntry(string eventType, AuditContext who, int patientId, AccessDecision decision, string details) => new()
    {
        EventType = eventType,
        CorrelationId = who.CorrelationId,
        ActorUserId = who.UserId,
        ActorPersonnelId = Person?.Id,
        ActorProviderId = Provider?.Id,
        ActorRole = Person?.Role.ToString(),
        ClientAddress = who.ClientAddress,
        PatientId = patientId,
        Level = decision.Level,
        IsOverride = decision.IsOverride,
        Reason = decision.Reason.ToString(),
        Outcome = decision.AllowsClinicalData ? AuditOutcome.Success : AuditOutcome.Denied,
        Details = details,
    };
}
