using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Records;

namespace Nehr.Core.Contribution;

/// <summary>
/// The population register's feed, inside the caller's write transaction: the authority on persons. An NRIC/FIN it
/// sends that the NEHR does not know creates the person; one it knows is confirmed, or corrected where the register
/// says otherwise (its word wins over any provider's); a death (deceased[x]) is recorded; an identifier with use "old"
/// is a former NRIC/FIN of the same person (a FIN holder who became a citizen): the person keeps their record under the
/// new one and is still found by the old. Every change is a new version of the demographics, audited with it.
/// </summary>
internal sealed class PopulationRegisterFeed(NehrDbContext db, AuditTrail audit, SystemConnection system, SystemCaller caller, DateTime now)
{
    public Dictionary<string, int> Counts { get; } = new(StringComparer.Ordinal);

    public async Task<ContributionResult> ApplyAsync(BundleContent content, CancellationToken cancellationToken)
    {
        var transaction = db.Database.CurrentTransaction
            ?? throw new InvalidOperationException("The register's feed runs inside the command's write transaction.");
        // A later Patient of a transaction can be refused after earlier ones were applied (each sees what the one
        // before it did): a refused transaction goes back to this point, and only its log row and audit event stay.
        const string start = "register_feed";
        if (!content.IsBatch)
        {
            await db.SaveWritesAsync(cancellationToken);
            await transaction.CreateSavepointAsync(start, cancellationToken);
        }

        var responses = await ApplyPersonsAsync(content.Entries, cancellationToken);
        var failed = responses.Where(r => r.Status.IsRefusal()).ToList();
        if (failed.Count > 0 && !content.IsBatch)
        {
            await transaction.RollbackToSavepointAsync(start, cancellationToken);
            db.Forget();
            var refusal = ContributionResult.Refused(failed.SelectMany(r => r.Issues).Where(i => i.IsError).ToList(), content.BundleType);
            await ContributionService.LogRefusalAsync(db, audit, caller, system, refusal, content.Entries.Count, [], now, cancellationToken);
            return refusal;
        }

        var refused = failed.Count;
        var notKept = content.Entries.Count(e => e.Role == EntryRole.NotKept);
        var outcome = refused == 0 ? ContributionOutcome.Accepted : refused == responses.Count ? ContributionOutcome.Refused : ContributionOutcome.PartlyAccepted;
        await ContributionService.LogAsync(db, audit, caller, system, now, new ContributionRecord(
            outcome, ContributionStatus.Accepted, content.BundleType, responses.Count, responses.Count - refused - notKept, notKept, refused, Counts,
            failed.SelectMany(r => r.Issues).Where(i => i.IsError).ToList()), null, cancellationToken);
        return new ContributionResult(ContributionStatus.Accepted, [], responses, content.BundleType);
    }

    /// <summary>
    /// Applies each Patient in order (a later one sees what an earlier one did). In a batch a refused Patient changes
    /// nothing and the others stand; the caller refuses a transaction whole when any is refused.
    /// </summary>
    public async Task<List<EntryResponse>> ApplyPersonsAsync(IReadOnlyList<ReadEntry> entries, CancellationToken cancellationToken)
    {
        var reads = entries.Where(e => e.Role == EntryRole.Person).Select(e => e.Person!).ToList();
        var nrics = reads.SelectMany(r => r.Former.Prepend(r.Nric)).Distinct().ToList();
        // Claimed before they are read: every identifier sent (a provider enrolling one of them waits, and then finds
        // the person), and every person they name now (their restriction, representatives and account wait).
        await db.ClaimAsync(nrics.Select(n => DataClaim.Identifier(n.Value)), cancellationToken);
        if (db.Database.IsNpgsql())
        {
            var named = await db.Patients.Where(p => nrics.Contains(p.Nric)).Select(p => p.Id)
                .Union(db.FormerIdentifiers.Where(f => nrics.Contains(f.Nric)).Select(f => f.PatientId))
                .ToListAsync(cancellationToken);
            await db.ClaimAsync(named.Select(DataClaim.Patient), cancellationToken);
        }

        var patients = await db.Patients.Where(p => nrics.Contains(p.Nric)).ToListAsync(cancellationToken);
        var formers = await db.FormerIdentifiers.AsNoTracking().Where(f => nrics.Contains(f.Nric)).ToListAsync(cancellationToken);
        var formerOwnerIds = formers.Select(f => f.PatientId).Where(id => patients.All(p => p.Id != id)).Distinct().ToList();
        if (formerOwnerIds.Count > 0)
        {
            patients.AddRange(await db.Patients.Where(p => formerOwnerIds.Contains(p.Id)).ToListAsync(cancellationToken));
        }

        var register = new PersonIndex(patients, formers);
        var responses = new List<EntryResponse>(entries.Count);
        var today = DateOnly.FromDateTime(now);
        foreach (var entry in entries)
        {
            if (entry.Role != EntryRole.Person)
            {
                responses.Add(entry.Role == EntryRole.Failed
                    ? new EntryResponse(entry.Index, ContributionIssue.StatusFor(entry.Issues), entry.Issues)
                    : new EntryResponse(entry.Index, ContributionStatus.Accepted, entry.Issues));
                continue;
            }

            try
            {
                // The register's own rules first (a date of death before birth…): a Patient that breaks one changes nothing.
                Records.Patient.Validate(entry.Person!.Details, today);
            }
            catch (DomainException e)
            {
                responses.Add(new EntryResponse(entry.Index, ContributionStatus.Unprocessable, [new(IssueKind.Invalid, $"{entry.Location}.resource", e.Message)]));
                continue;
            }

            responses.Add(await ApplyAsync(entry, register, today, cancellationToken));
        }

        return responses;
    }

    private async Task<EntryResponse> ApplyAsync(ReadEntry entry, PersonIndex register, DateOnly today, CancellationToken cancellationToken)
    {
        var read = entry.Person!;
        var at = $"{entry.Location}.resource.identifier";
        var person = register.Find(read.Nric);
        if (person is not null && person.Nric != read.Nric)
        {
            return Refused(entry, at, "This NRIC/FIN was replaced by a newer one: send the person under the current NRIC/FIN, with this one as use \"old\".");
        }

        // Former identifiers: each is this person's already, or nobody's; one that is another person's is never merged silently.
        var owners = read.Former.Select(f => (Former: f, Owner: register.Find(f))).ToList();
        var others = owners.Where(o => o.Owner is not null && o.Owner != person).Select(o => o.Owner!).Distinct().ToList();
        if (person is null && others.Count == 1 && others[0].Nric != read.Nric && owners.Any(o => o.Owner == others[0] && o.Owner.Nric == o.Former))
        {
            // The person's current NRIC/FIN is one of the former ones sent: the identifier changed.
            var changed = others[0];
            var before = changed.Snapshot();
            var former = changed.ChangeNric(read.Nric, now);
            db.FormerIdentifiers.Add(former);
            register.Moved(changed, former.Nric);
            await VersionAsync(changed, DemographicsChangeKind.IdentifierChanged, before, cancellationToken);
            Count("IdentifierChanged");
            person = changed;
            others.Clear();
        }

        if (others.Count > 0)
        {
            return Refused(entry, at,
                "A former NRIC/FIN sent belongs to another person in the register: two persons are not merged by the feed. Ask MOH to merge them.");
        }

        var status = ContributionStatus.Accepted;
        if (person is null)
        {
            person = Records.Patient.FromPopulationRegister(read.Details, today, now);
            db.Patients.Add(person);
            await db.SaveWritesAsync(cancellationToken);
            register.Add(person);
            await VersionAsync(person, DemographicsChangeKind.Registered, null, cancellationToken);
            Count("Registered");
            status = ContributionStatus.Created;
        }
        else
        {
            var before = person.Snapshot();
            if (person.ApplyPopulationRegister(read.Details, today) is { } kind)
            {
                await VersionAsync(person, kind, before, cancellationToken);
                Count(kind.ToString());
            }
            else
            {
                Count("Unchanged");
            }
        }

        foreach (var (former, owner) in owners.Where(o => o.Owner is null))
        {
            var added = new FormerIdentifier(person.Id, former, now);
            db.FormerIdentifiers.Add(added);
            register.Moved(person, former);
        }

        await LinkParentsAsync(person, read.Parents, cancellationToken);
        return new EntryResponse(entry.Index, status, []);
    }

    private async Task VersionAsync(Records.Patient person, DemographicsChangeKind kind, string? before, CancellationToken cancellationToken)
    {
        db.DemographicsChanges.Add(new DemographicsChange(person.Id, person.DemographicsVersion, kind, before, person.Snapshot(), system.ProviderId, system.Id, now));
        await audit.AppendAsync(db, new AuditEntry
        {
            EventType = kind switch
            {
                DemographicsChangeKind.Registered => AuditEventTypes.PersonRegistered,
                DemographicsChangeKind.IdentifierChanged => AuditEventTypes.PersonIdentifierChanged,
                _ => AuditEventTypes.DemographicsChanged,
            },
            CorrelationId = caller.CorrelationId,
            SystemId = system.Id,
            ActorProviderId = system.ProviderId,
            ClientAddress = caller.ClientAddress,
            PatientId = person.Id,
            Details = string.Create(CultureInfo.InvariantCulture, $"population register; {kind}; version={person.DemographicsVersion}"),
        }, cancellationToken);
    }

    /// <summary>
    /// The register's parents of a child under 14 act for them until the 14th birthday (then the child's own sign-in
    /// takes over and the parent keeps nothing). The register sends every parent each time: a parent no longer sent is
    /// no longer linked. Each link made or ended is audited, about the child.
    /// </summary>
    private async Task LinkParentsAsync(Records.Patient child, IReadOnlyList<Nric>? parents, CancellationToken cancellationToken)
    {
        if (parents is null)
        {
            return;
        }

        var open = await db.Representations
            .Where(r => r.PatientId == child.Id && r.Kind == Representatives.RepresentationKind.ParentOfChild && r.State == Representatives.RepresentationState.Active)
            .ToListAsync(cancellationToken);
        foreach (var gone in open.Where(r => !parents.Contains(r.RepresentativeNric)))
        {
            gone.End(null, Representatives.Representation.EndedByRegister, now);
            await AuditLinkAsync(AuditEventTypes.RepresentationEnded, child.Id, gone, "parent link ended by the population register", cancellationToken);
        }

        if (now >= Representatives.Representation.FourteenthBirthdayUtc(child.DateOfBirth))
        {
            return;
        }

        foreach (var parent in parents.Where(p => open.All(r => r.RepresentativeNric != p)))
        {
            var parentId = await db.Patients.Where(p => p.Nric == parent).Select(p => (int?)p.Id).SingleOrDefaultAsync(cancellationToken);
            var link = Representatives.Representation.ParentOf(child.Id, child.DateOfBirth, parent, parentId, now);
            db.Representations.Add(link);
            await db.SaveWritesAsync(cancellationToken);
            await AuditLinkAsync(AuditEventTypes.RepresentationFromRegister, child.Id, link, "parent linked by the population register", cancellationToken);
            Count("ParentLinked");
        }
    }

    private Task<AuditEvent> AuditLinkAsync(string eventType, int childId, Representatives.Representation link, string what, CancellationToken cancellationToken) =>
        audit.AppendAsync(db, new AuditEntry
        {
            EventType = eventType,
            CorrelationId = caller.CorrelationId,
            SystemId = system.Id,
            ActorProviderId = system.ProviderId,
            ClientAddress = caller.ClientAddress,
            PatientId = childId,
            Details = string.Create(CultureInfo.InvariantCulture,
                $"{what}; representation={link.Id}; parent={link.RepresentativeNric.Masked}; until={link.EndsAtUtc:yyyy-MM-ddTHH:mmZ}"),
        }, cancellationToken);

    private static EntryResponse Refused(ReadEntry entry, string location, string message) =>
        new(entry.Index, ContributionStatus.Unprocessable, [new(IssueKind.BusinessRule, location, message)]);

    private void Count(string kind) => Counts[kind] = Counts.GetValueOrDefault(kind) + 1;

    /// <summary>Reads the lines of an NDJSON load, each a Patient, as the entries of a batch.</summary>
    public static List<(int Line, ReadEntry Entry)> ReadLines(IReadOnlyList<(int Line, string Text)> lines, DateTime nowUtc)
    {
        var read = new List<(int, ReadEntry)>(lines.Count);
        var documents = new List<JsonDocument>();
        try
        {
            var raw = new List<RawEntry>();
            for (var i = 0; i < lines.Count; i++)
            {
                JsonElement resource = default;
                try
                {
                    var document = JsonDocument.Parse(Encoding.UTF8.GetBytes(lines[i].Text), new JsonDocumentOptions { MaxDepth = 64 });
                    documents.Add(document);
                    resource = document.RootElement;
                }
                catch (JsonException)
                {
                    // Left undefined: reported below.
                }

                raw.Add(new RawEntry(i, null, null, resource));
            }

            var context = new BundleContext(raw, new Dictionary<string, int>(), SystemKind.PopulationRegister, nowUtc);
            for (var i = 0; i < raw.Count; i++)
            {
                var entry = raw[i];
                var type = FhirBundleReader.TypeOf(entry);
                var readEntry = entry.Resource.ValueKind != JsonValueKind.Object
                    ? FhirBundleReader.Failed(entry, null, new ContributionIssue(IssueKind.Malformed, $"Bundle.entry[{i}].resource", "The line is not a JSON object (one Patient a line)."))
                    : type != "Patient"
                        ? FhirBundleReader.Failed(entry, type, new ContributionIssue(IssueKind.NotSupported, $"Bundle.entry[{i}].resource", "Each line is one Patient."))
                        : PatientReader.Read(entry, context);
                read.Add((lines[i].Line, readEntry));
            }
        }
        catch (InvalidOperationException e) when (e.Message.Contains("UTF-16", StringComparison.Ordinal))
        {
            // Text that is not valid Unicode somewhere outside a resource's elements: the whole chunk is reported.
            return lines.Select((l, i) => (l.Line, new ReadEntry(i, null, EntryRole.Failed,
                [new ContributionIssue(IssueKind.Malformed, $"Bundle.entry[{i}].resource", "The line holds text that is not valid Unicode.")]))).ToList();
        }
        finally
        {
            foreach (var document in documents)
            {
                document.Dispose();
            }
        }

        return read;
    }

    /// <summary>The persons of one request by every NRIC/FIN they are known by, current or former, kept up to date as the request goes.</summary>
    private sealed class PersonIndex
    {
        private readonly Dictionary<Nric, Records.Patient> _byNric = [];

        public PersonIndex(IEnumerable<Records.Patient> patients, IEnumerable<FormerIdentifier> formers)
        {
            var list = patients.ToList();
            foreach (var patient in list)
            {
                _byNric[patient.Nric] = patient;
            }

            foreach (var former in formers)
            {
                _byNric[former.Nric] = list.Single(p => p.Id == former.PatientId);
            }
        }

        public Records.Patient? Find(Nric nric) => _byNric.GetValueOrDefault(nric);

        public void Add(Records.Patient patient) => _byNric[patient.Nric] = patient;

        public void Moved(Records.Patient patient, Nric former)
        {
            _byNric[patient.Nric] = patient;
            _byNric[former] = patient;
        }
    }
}
