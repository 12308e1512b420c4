using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Administration;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Notifications;
using Nehr.Core.Records;

namespace Nehr.Core.Contribution;

/// <summary>
/// A provider's bundle, inside the caller's write transaction. Identity first: every Patient of the bundle is
/// cross-checked with the person register (birth date, sex, name under <see cref="NameMatching"/>); a mismatch refuses
/// that person's entries, lands in the data-quality list, and never reveals the register's value. An NRIC/FIN the
/// register does not know enrols the person (demographics not yet confirmed). Then the entries: an entry belongs to its
/// patient for ever, so a source identifier filed under another person is refused until the source withdraws it.
/// Encounters register the patient with the provider for their episode.
/// </summary>
internal sealed class ProviderFeed(
    NehrDbContext db, AuditTrail audit, SystemConnection system, SystemCaller caller, DateTime now, RegistrationOptions registration)
{
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);

    /// <summary>The entries filed for the first time: inserted together after the loop, not one by one.</summary>
    private readonly List<ClinicalEntry> _created = [];
    private readonly List<IdentityMismatch> _mismatches = [];

    public async Task<ContributionResult> ApplyAsync(BundleContent content, CancellationToken cancellationToken)
    {
        var entries = content.Entries.ToArray();
        var responses = new EntryResponse?[entries.Length];

        // 1. Who the bundle files for: each Patient against the register, or to be enrolled.
        var people = await ResolvePeopleAsync(entries, responses, cancellationToken);

        // 2. What it files: each entry for its person, never one that belongs to someone else.
        var drafts = entries.Where(e => e.Draft is not null && e.Role is not (EntryRole.Failed or EntryRole.NotKept) && responses[e.Index] is null).ToList();
        foreach (var entry in drafts)
        {
            if (!people.TryGetValue(entry.Draft!.PersonEntry, out var person) || person.Refused)
            {
                responses[entry.Index] = Failed(entry.Index, new ContributionIssue(IssueKind.BusinessRule, $"{entry.Location}.resource",
                    $"Nothing is filed for the person of entry {entry.Draft.PersonEntry}: that Patient was refused (see its problems)."));
            }
        }

        var existing = await ExistingEntriesAsync(drafts.Where(e => responses[e.Index] is null).Select(e => e.Draft!).ToList(), people, cancellationToken);
        var plans = new List<(ReadEntry Entry, Person Person, ClinicalEntry? Previous)>();
        foreach (var entry in drafts.Where(e => responses[e.Index] is null))
        {
            var draft = entry.Draft!;
            var person = people[draft.PersonEntry];
            var filed = existing.GetValueOrDefault((draft.Kind, draft.SourceIdentifierHash)) ?? [];
            filed = filed.Where(e => e.SourceIdentifier == draft.SourceIdentifier).ToList();
            var own = filed.FirstOrDefault(e => person.PatientId is { } id && e.PatientId == id);
            var elsewhere = filed.FirstOrDefault(e => !e.IsWithdrawn && e.PatientId != person.PatientId);
            if (elsewhere is not null && entry.Role != EntryRole.Registration)
            {
                responses[entry.Index] = Failed(entry.Index, new ContributionIssue(IssueKind.BusinessRule, $"{entry.Location}.resource.identifier",
                    entry.Role == EntryRole.Withdrawal
                        ? "This source identifier is filed under another person: withdraw it under that person (send entered-in-error with that person's Patient)."
                        : "This source identifier is already filed under another person: an entry belongs to its patient for ever. Send entered-in-error for it under that person first."));
                continue;
            }

            plans.Add((entry, person, own));
        }

        // Every Patient refused and entry failed so far is known: a transaction with any of them is refused whole.
        for (var i = 0; i < entries.Length; i++)
        {
            if (responses[i] is null && entries[i].Role == EntryRole.Failed)
            {
                responses[i] = Failed(i, [.. entries[i].Issues]);
            }
        }

        var failed = responses.Where(r => r is not null && r.Status.IsRefusal()).Select(r => r!).ToList();
        if (failed.Count > 0 && !content.IsBatch)
        {
            var issues = failed.SelectMany(r => r.Issues).Where(i => i.IsError).ToList();
            var refusal = ContributionResult.Refused(issues, content.BundleType);
            await ContributionService.LogRefusalAsync(db, audit, caller, system, refusal, entries.Length, _mismatches, now, cancellationToken);
            return refusal;
        }

        // 3. Apply: enrol, file, withdraw, register; then the log row and the audit event, in this transaction.
        await EnrolAsync(people.Values.Where(p => p.Enrol && !p.Refused).ToList(), cancellationToken);
        foreach (var person in people.Values.Where(p => p.SameAs is not null))
        {
            person.PatientId = person.SameAs!.PatientId;
        }

        foreach (var person in people.Values.Where(p => !p.Refused))
        {
            responses[person.EntryIndex] = new EntryResponse(person.EntryIndex, person.Enrol ? ContributionStatus.Created : ContributionStatus.Accepted, person.Enrol
                ? [new(IssueKind.Information, $"Bundle.entry[{person.EntryIndex}].resource",
                    "Enrolled in the person register; the demographics are not yet confirmed by the population register.")]
                : []);
        }

        var episodes = new List<(EntryDraft Draft, int PatientId)>();
        foreach (var (entry, person, previous) in plans)
        {
            var draft = entry.Draft!;
            var patientId = person.PatientId!.Value;
            responses[entry.Index] = entry.Role switch
            {
                EntryRole.Clinical => File(entry, draft, patientId, previous),
                EntryRole.Withdrawal => Withdraw(entry, previous),
                _ => new EntryResponse(entry.Index, ContributionStatus.Accepted, entry.Issues),
            };
            if (draft.Episode is not null)
            {
                episodes.Add((draft, patientId));
            }
        }

        for (var i = 0; i < entries.Length; i++)
        {
            responses[i] ??= new EntryResponse(i, ContributionStatus.Accepted, entries[i].Issues);
            if (entries[i].Role == EntryRole.NotKept)
            {
                Count("NotKept");
            }
        }

        await RowInserter.InsertAsync(db, _created, cancellationToken);
        await RegisterAsync(episodes, cancellationToken);
        var refused = responses.Count(r => r!.Status.IsRefusal());
        // What the compliance view counts: clinical resources filed, updated or withdrawn (not the Patients, which identify).
        var kept = entries.Count(e => e.Role is EntryRole.Clinical or EntryRole.Withdrawal && !responses[e.Index]!.Status.IsRefusal());
        var outcome = refused == 0 ? ContributionOutcome.Accepted : refused == responses.Length ? ContributionOutcome.Refused : ContributionOutcome.PartlyAccepted;
        db.IdentityMismatches.AddRange(_mismatches);
        var patients = people.Values.Where(p => !p.Refused && p.PatientId is not null).Select(p => p.PatientId!.Value).Distinct().ToList();
        await ContributionService.LogAsync(db, audit, caller, system, now, new ContributionRecord(
            outcome, ContributionStatus.Accepted, content.BundleType, entries.Length, kept, _counts.GetValueOrDefault("NotKept"), refused, _counts,
            responses.SelectMany(r => r!.Issues).Where(i => i.IsError).ToList()), patients, cancellationToken);
        return new ContributionResult(ContributionStatus.Accepted, [], responses.Select(r => r!).ToList(), content.BundleType);
    }

    /// <summary>A person of the bundle: the register's patient id (null until enrolled), whether to enrol, whether refused.</summary>
    private sealed class Person(int entryIndex, PersonRead read)
    {
        public int EntryIndex { get; } = entryIndex;

        public PersonRead Read { get; } = read;

        public int? PatientId { get; set; }

        public bool Enrol { get; set; }

        public bool Refused { get; set; }

        /// <summary>An earlier Patient of the bundle for the same new person: this one is filed under it.</summary>
        public Person? SameAs { get; set; }

        public Records.Patient? Enrolled { get; set; }
    }

    private async Task<Dictionary<int, Person>> ResolvePeopleAsync(ReadEntry[] entries, EntryResponse?[] responses, CancellationToken cancellationToken)
    {
        var people = entries.Where(e => e.Role == EntryRole.Person).ToDictionary(e => e.Index, e => new Person(e.Index, e.Person!));
        if (people.Count == 0)
        {
            return people;
        }

        var nrics = people.Values.SelectMany(p => p.Read.Former.Prepend(p.Read.Nric)).Distinct().ToList();
        // Claimed before they are looked up: a bundle enrolling a person and another (or the register) naming them at
        // the same moment run one after the other, so the second finds the person the first enrolled.
        await db.ClaimAsync(nrics.Select(n => DataClaim.Identifier(n.Value)), cancellationToken);
        var known = await db.Patients.AsNoTracking().Where(p => nrics.Contains(p.Nric))
            .Select(p => new Known(p.Id, p.Nric, p.Name, p.AliasText, p.DateOfBirth, p.Sex))
            .ToListAsync(cancellationToken);
        var formerIds = await db.FormerIdentifiers.AsNoTracking().Where(f => nrics.Contains(f.Nric)).Select(f => new { f.Nric, f.PatientId }).ToListAsync(cancellationToken);
        if (formerIds.Count > 0)
        {
            var ids = formerIds.Select(f => f.PatientId).ToList();
            var formerOwners = await db.Patients.AsNoTracking().Where(p => ids.Contains(p.Id))
                .Select(p => new Known(p.Id, p.Nric, p.Name, p.AliasText, p.DateOfBirth, p.Sex)).ToListAsync(cancellationToken);
            known.AddRange(formerIds.Select(f => formerOwners.Single(o => o.Id == f.PatientId) with { Nric = f.Nric }));
        }

        var byNric = known.ToDictionary(k => k.Nric);
        // A new NRIC/FIN that any Patient of the bundle gives for a person the register knows by a former one: enrolling
        // would split their record, so every Patient with that NRIC/FIN is refused, whatever their order.
        var splitting = people.Values.Where(p => !byNric.ContainsKey(p.Read.Nric) && p.Read.Former.Any(byNric.ContainsKey))
            .Select(p => p.Read.Nric).ToHashSet();
        var firstForUnknown = new Dictionary<Nric, Person>();
        foreach (var person in people.Values.OrderBy(p => p.EntryIndex))
        {
            var sent = person.Read;
            IdentityField? field;
            if (byNric.TryGetValue(sent.Nric, out var register))
            {
                person.PatientId = register.Id;
                field = IdentityMatching.Disagreement(sent.Details.DateOfBirth, sent.Details.Sex, sent.NameForms,
                    register.DateOfBirth, register.Sex, register.AliasText.Split('\n', StringSplitOptions.RemoveEmptyEntries).Prepend(register.Name));
            }
            else if (firstForUnknown.TryGetValue(sent.Nric, out var first))
            {
                // Two Patients of one bundle for one new person must describe the same person; if not, neither is trusted.
                person.SameAs = first;
                field = IdentityMatching.Disagreement(sent.Details.DateOfBirth, sent.Details.Sex, sent.NameForms,
                    first.Read.Details.DateOfBirth, first.Read.Details.Sex, first.Read.NameForms);
                if (field is { } differing && !first.Refused)
                {
                    Refuse(first, responses, IdentityMatching.FhirElement(differing),
                        $"The {Words(differing)} differs between two Patients of this bundle with the same NRIC/FIN (entries {first.EntryIndex} and {person.EntryIndex}): nothing is filed for this person.");
                }
            }
            else if (splitting.Contains(sent.Nric))
            {
                // A new NRIC/FIN for a person the register knows by a former one: enrolling would split their record.
                person.Refused = true;
                field = null;
                responses[person.EntryIndex] = Failed(person.EntryIndex, new ContributionIssue(IssueKind.BusinessRule, $"Bundle.entry[{person.EntryIndex}].resource.identifier",
                    "This NRIC/FIN is new to the NEHR, but the Patient's former NRIC/FIN (use old) is a person in the register: the population register has not recorded the change yet, so nothing is filed. Send the former NRIC/FIN as the current one until it has."));
            }
            else
            {
                person.Enrol = true;
                firstForUnknown[sent.Nric] = person;
                field = null;
                try
                {
                    Records.Patient.Validate(sent.Details, DateOnly.FromDateTime(now));
                }
                catch (DomainException e)
                {
                    person.Refused = true;
                    responses[person.EntryIndex] = Failed(person.EntryIndex, new ContributionIssue(IssueKind.Invalid, $"Bundle.entry[{person.EntryIndex}].resource", e.Message));
                }
            }

            if (field is { } disagreeing)
            {
                Refuse(person, responses, IdentityMatching.FhirElement(disagreeing), byNric.ContainsKey(sent.Nric)
                    ? $"The {Words(disagreeing)} does not agree with the person register for this NRIC/FIN: nothing is filed for this person. Check the patient's identity and the NRIC/FIN."
                    : $"The {Words(disagreeing)} differs between two Patients of this bundle with the same NRIC/FIN (entries {person.SameAs!.EntryIndex} and {person.EntryIndex}): nothing is filed for this person.");
            }
        }

        // A Patient that follows a refused one for the same new person is refused with it (it has no one to be filed under).
        foreach (var person in people.Values.Where(p => p.SameAs is { Refused: true } && !p.Refused))
        {
            person.Refused = true;
            responses[person.EntryIndex] = Failed(person.EntryIndex, new ContributionIssue(IssueKind.BusinessRule, $"Bundle.entry[{person.EntryIndex}].resource",
                $"The Patient of entry {person.SameAs!.EntryIndex}, with the same NRIC/FIN, was refused: nothing is filed for this person."));
        }

        return people;
    }

    private sealed record Known(int Id, Nric Nric, string Name, string AliasText, DateOnly DateOfBirth, Sex Sex);

    private static string Words(IdentityField field) => field switch
    {
        IdentityField.BirthDate => "date of birth",
        IdentityField.Sex => "sex (gender)",
        _ => "name",
    };

    private void Refuse(Person person, EntryResponse?[] responses, string element, string message)
    {
        person.Refused = true;
        var location = $"Bundle.entry[{person.EntryIndex}].resource.{element}";
        responses[person.EntryIndex] = Failed(person.EntryIndex, new ContributionIssue(IssueKind.BusinessRule, location, message));
        _mismatches.Add(new IdentityMismatch(system.ProviderId, system.Id, person.Read.Nric.Value, person.Read.SourceReference, element, message, now));
    }

    private static EntryResponse Failed(int index, params ContributionIssue[] issues) =>
        new(index, ContributionIssue.StatusFor(issues), issues);

    /// <summary>The entries this system filed before under the same source identifiers (any person: an entry belongs to its patient for ever).</summary>
    private async Task<Dictionary<(EntryKind, string), List<ClinicalEntry>>> ExistingEntriesAsync(
        List<EntryDraft> drafts, Dictionary<int, Person> people, CancellationToken cancellationToken)
    {
        if (drafts.Count == 0)
        {
            return [];
        }

        var hashes = drafts.Select(d => d.SourceIdentifierHash).Distinct().ToList();
        var found = await db.ClinicalEntries
            .Where(e => e.SourceSystemId == system.Id && hashes.Contains(e.SourceIdentifierHash))
            .ToListAsync(cancellationToken);
        return found.GroupBy(e => (e.Kind, e.SourceIdentifierHash)).ToDictionary(g => g.Key, g => g.ToList());
    }

    private async Task EnrolAsync(List<Person> enrolments, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(now);
        foreach (var person in enrolments)
        {
            // The reader checked what the register needs (name, a full date of birth, sex); the register's own rules hold too.
            person.Enrolled = Records.Patient.EnrolFromProvider(person.Read.Details, system.ProviderId, today, now);
            db.Patients.Add(person.Enrolled);
        }

        if (enrolments.Count > 0)
        {
            await db.SaveWritesAsync(cancellationToken);
        }

        foreach (var person in enrolments)
        {
            person.PatientId = person.Enrolled!.Id;
            db.DemographicsChanges.Add(new DemographicsChange(person.Enrolled.Id, 1, DemographicsChangeKind.EnrolledByProvider, null,
                person.Enrolled.Snapshot(), system.ProviderId, system.Id, now));
            Count("Person");
            await audit.AppendAsync(db, new AuditEntry
            {
                EventType = AuditEventTypes.PersonEnrolled,
                CorrelationId = caller.CorrelationId,
                SystemId = system.Id,
                ActorProviderId = system.ProviderId,
                ClientAddress = caller.ClientAddress,
                PatientId = person.Enrolled.Id,
                Details = string.Create(CultureInfo.InvariantCulture, $"enrolled by provider {system.ProviderId}; demographics not yet confirmed; version=1"),
            }, cancellationToken);
        }
    }

    private EntryResponse File(ReadEntry entry, EntryDraft draft, int patientId, ClinicalEntry? previous)
    {
        var created = draft.Entry!;
        created.FileUnder(patientId, system.ProviderId, system.Id);
        Count(draft.Kind.ToString());
        if (previous is null)
        {
            _created.Add(created);
            return new EntryResponse(entry.Index, ContributionStatus.Created, []);
        }

        // The same resource again: the entry takes its new content (a withdrawn one is back, as the source now says).
        // The draft was never added to the context: it only carries the content.
        previous.Supersede(created);
        return new EntryResponse(entry.Index, ContributionStatus.Accepted, []);
    }

    private EntryResponse Withdraw(ReadEntry entry, ClinicalEntry? previous)
    {
        if (previous is null)
        {
            return new EntryResponse(entry.Index, ContributionStatus.Accepted, [new(IssueKind.Information, $"{entry.Location}.resource",
                "Nothing was filed under this source identifier for this person: nothing to withdraw.")]);
        }

        var already = previous.IsWithdrawn;
        previous.Withdraw(now, entry.Draft?.WithdrawnAs);
        Count("Withdrawn");
        return new EntryResponse(entry.Index, ContributionStatus.Accepted, [new(IssueKind.Information, $"{entry.Location}.resource", already
            ? "Already withdrawn."
            : "Withdrawn (entered in error): hidden from clinical views, kept for the audit, and shown to the patient as withdrawn by the source.")]);
    }

    /// <summary>
    /// Encounters register the patient with the provider for their episode: with no expiry while it is under way, until
    /// a set time after it ends; a cancelled episode ends its registration. A registration that starts while the patient
    /// has none current with the provider tells the patient (notice and e-mail): the first, and each one after a
    /// registration lapsed or ended; another visit while one is current is not told again.
    /// </summary>
    private async Task RegisterAsync(List<(EntryDraft Draft, int PatientId)> episodes, CancellationToken cancellationToken)
    {
        if (episodes.Count == 0)
        {
            return;
        }

        // One current registration per patient and provider: the patients are claimed before their registrations are read.
        await db.ClaimAsync(episodes.Select(e => DataClaim.Patient(e.PatientId)), cancellationToken);
        var keys = episodes.Select(e => e.Draft.SourceIdentifierHash).Distinct().ToList();
        var registrations = await db.CareRegistrations
            .Where(r => r.SystemId == system.Id && r.EpisodeKey != null && keys.Contains(r.EpisodeKey))
            .ToListAsync(cancellationToken);
        var patientIds = episodes.Select(e => e.PatientId).Distinct().ToList();
        var currentlyRegistered = (await db.CareRegistrations.AsNoTracking().CurrentAt(now)
                .Where(r => r.ProviderId == system.ProviderId && patientIds.Contains(r.PatientId))
                .Select(r => r.PatientId).Distinct().ToListAsync(cancellationToken))
            .ToHashSet();
        var provider = await db.Providers.AsNoTracking().Where(p => p.Id == system.ProviderId).Select(p => p.Name).SingleAsync(cancellationToken);
        var created = new List<CareRegistration>();
        foreach (var (draft, patientId) in episodes)
        {
            var episode = draft.Episode!;
            var current = registrations.FirstOrDefault(r => r.EpisodeKey == draft.SourceIdentifierHash && r.PatientId == patientId && r.IsActive);
            // Ended: the end (or the start) plus the days after an episode; under way: at most the days of an open
            // episode from its start, so that an encounter never closed by its source does not register for ever.
            DateTime? expires = episode.State == EpisodeState.Ended
                ? (episode.EndedAtUtc ?? draft.OccurredAtUtc).AddDays(registration.DaysAfterEpisode)
                : draft.OccurredAtUtc.AddDays(registration.OpenEpisodeDays);
            switch (episode.State)
            {
                case EpisodeState.Cancelled when current is not null:
                    current.End($"system:{system.Id}", now);
                    Count("RegistrationEnded");
                    await audit.AppendAsync(db, RegistrationEvent(AuditEventTypes.CareRegistrationEnded, current, patientId, "episode cancelled"), cancellationToken);
                    break;
                case EpisodeState.Cancelled:
                    break;
                case EpisodeState.Ended or EpisodeState.UnderWay when expires <= now:
                    await ChangeAsync(current, expires, patientId, cancellationToken);
                    break;
                default:
                    if (current is not null)
                    {
                        await ChangeAsync(current, expires, patientId, cancellationToken);
                        break;
                    }

                    var added = CareRegistration.ForEpisode(patientId, system.ProviderId, system.Id, draft.SourceIdentifierHash, now, expires);
                    db.CareRegistrations.Add(added);
                    registrations.Add(added);
                    created.Add(added);
                    Count("Registration");
                    if (currentlyRegistered.Add(patientId))
                    {
                        await PatientNotifier.NotifyAsync(db, patientId, NoticeKind.RegisteredByProvider,
                            new PatientMessage(
                                "{0} registered you for care, from a visit its system sent to the NEHR. While you are registered, its care team may see your record as your access settings allow. You can see every registration under \"My care registrations\".",
                                MessageArgument.Text(provider)),
                            now, cancellationToken: cancellationToken);
                    }

                    break;
            }
        }

        if (created.Count > 0)
        {
            await db.SaveWritesAsync(cancellationToken);
            foreach (var added in created)
            {
                await audit.AppendAsync(db, RegistrationEvent(AuditEventTypes.CareRegistered, added, added.PatientId,
                    added.ExpiresAtUtc is { } until ? $"from an encounter; until {until:yyyy-MM-ddTHH:mm:ssZ}" : "from an encounter; episode under way"), cancellationToken);
            }
        }
    }

    /// <summary>A registration's episode changed (it ended, or its source sent it again): its new end, audited when it moved.</summary>
    private async Task ChangeAsync(CareRegistration? current, DateTime? expires, int patientId, CancellationToken cancellationToken)
    {
        if (current is null || current.ExpiresAtUtc == expires)
        {
            return;
        }

        var before = current.ExpiresAtUtc;
        current.UpdateEpisode(expires);
        Count("RegistrationChanged");
        await audit.AppendAsync(db, RegistrationEvent(AuditEventTypes.CareRegistrationChanged, current, patientId, string.Create(CultureInfo.InvariantCulture,
            $"from an encounter; until {(before is { } b ? b.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) : "episode under way")} -> {(expires is { } e ? e.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) : "episode under way")}")), cancellationToken);
    }

    private AuditEntry RegistrationEvent(string type, CareRegistration registration, int patientId, string what) => new()
    {
        EventType = type,
        CorrelationId = caller.CorrelationId,
        SystemId = system.Id,
        ActorProviderId = system.ProviderId,
        ClientAddress = caller.ClientAddress,
        PatientId = patientId,
        Details = string.Create(CultureInfo.InvariantCulture, $"registration={registration.Id}; provider={system.ProviderId}; {what}"),
    };

    private void Count(string kind) => _counts[kind] = _counts.GetValueOrDefault(kind) + 1;
}
