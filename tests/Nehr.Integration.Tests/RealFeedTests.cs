using System.Net;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Access;
using Nehr.Core.Audit;
using Nehr.Core.Contribution;
using Nehr.Core.Data.Demo;
using Nehr.Core.Oversight;
using Nehr.Core.Records;
using Task = System.Threading.Tasks.Task;

namespace Nehr.Integration.Tests;

/// <summary>
/// Real provider feeds (round 2, step 1): unmodified exports of the kind Synthea and hospital EMRs write, with only the
/// NRIC/FIN added, are accepted; what the NEHR keeps is filed and the rest reported as not kept; nothing is ever filed
/// under the wrong person.
/// </summary>
public sealed class RealFeedTests(FeedPortal feed) : IClassFixture<FeedPortal>
{
    private static FhirPerson NewPerson(string name = "Chua Siew Ling", Sex sex = Sex.Female, int year = 1988) =>
        new(Fixture.NewNric(), name, new DateOnly(year, 4, 2), sex);

    [Fact]
    public async Task A_Synthea_export_for_a_person_the_NEHR_has_never_seen_is_accepted_files_what_the_NEHR_keeps_and_a_resend_duplicates_nothing()
    {
        var nric = Fixture.NewNric('S');
        var json = Fixture.Load("synthea-adult.json", nric);
        var sent = Fixture.Entries(json);

        var answer = await feed.PostAsync(json);

        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        Assert.Equal("transaction-response", answer.Json.GetProperty("type").GetString());
        var statuses = answer.Statuses;
        Assert.Equal(sent.Count, statuses.Count);
        Assert.Equal("201 Created", statuses[0]);
        Assert.Contains(answer.EntryIssues(0), i => i.Diagnostics.Contains("not yet confirmed by the population register", StringComparison.Ordinal));

        // Every entry the NEHR does not keep is answered as such, with an issue of severity information.
        var kept = new HashSet<string> { "Patient", "AllergyIntolerance", "Immunization", "MedicationRequest", "Condition", "Procedure", "Encounter", "DocumentReference" };
        for (var i = 0; i < sent.Count; i++)
        {
            var (type, categories, _) = sent[i];
            var expectKept = kept.Contains(type) || type == "Observation" && categories.Contains("laboratory");
            if (!expectKept)
            {
                Assert.True(answer.EntryIssues(i) is [("information", "informational", _), ..], $"entry {i} ({type}) should be reported as not kept");
            }
        }

        var person = await feed.PersonAsync(nric);
        Assert.NotNull(person);
        Assert.Equal(("Lim Wei Ming", new DateOnly(1970, 9, 22), Sex.Male, false), (person.Name, person.DateOfBirth, person.Sex, person.DemographicsConfirmed));
        Assert.Equal(Race.NotStated, person.Race);
        Assert.Equal(feed.World.HospitalId, person.EnrolledByProviderId);

        var entries = await feed.EntriesAsync(person.Id);
        int Count(string type, string? category = null) => sent.Count(e => e.Type == type && (category is null || e.Categories.Contains(category)));
        Assert.Equal(
            new Dictionary<EntryKind, int>
            {
                [EntryKind.Visit] = Count("Encounter"),
                [EntryKind.Diagnosis] = Count("Condition"),
                [EntryKind.Allergy] = Count("AllergyIntolerance"),
                [EntryKind.Procedure] = Count("Procedure"),
                [EntryKind.Vaccination] = Count("Immunization"),
                [EntryKind.Medication] = Count("MedicationRequest"),
                [EntryKind.LabResult] = Count("Observation", "laboratory"),
                [EntryKind.Summary] = Count("DocumentReference"),
            },
            entries.GroupBy(e => e.Kind).ToDictionary(g => g.Key, g => g.Count()));

        // A detected result without an interpretation is not "normal": the interpretation is not stated.
        var covid = entries.OfType<LabResultEntry>().Single(e => e.TestCode == "94531-1");
        Assert.Equal(("Detected (qualifier value)", AbnormalFlag.NotStated, null), (covid.Value, covid.Flag, covid.Interpretation));
        Assert.All(entries.OfType<LabResultEntry>(), e => Assert.NotEqual(AbnormalFlag.Normal, e.Flag));

        // A visit without narrative is a visit: its type, class, period and the serving organisation.
        Assert.All(entries.OfType<VisitEntry>(), v => Assert.False(string.IsNullOrWhiteSpace(v.VisitType)));
        Assert.Contains(entries.OfType<VisitEntry>(), v => v.VisitClass == "Emergency" && v.ServedBy is not null && v.EndedAtUtc > v.OccurredAtUtc);

        // Prescriptions naming a Medication of the bundle take its name.
        Assert.All(entries.OfType<MedicationEntry>(), m => Assert.False(string.IsNullOrWhiteSpace(m.Medication)));
        Assert.Contains(entries.OfType<AllergyEntry>(), a => a.Category == AllergyCategory.Food);
        Assert.All(entries, e => Assert.Equal(feed.World.HospitalId, e.SourceProviderId));

        // The same export again updates what it filed: nothing new, nothing lost.
        var again = await feed.PostAsync(json);

        Assert.True(again.Status == HttpStatusCode.OK, again.ToString());
        Assert.DoesNotContain("201 Created", again.Statuses);
        Assert.Equal(
            entries.Select(e => (e.Id, e.Kind, e.SourceIdentifier)).OrderBy(e => e.Id),
            (await feed.EntriesAsync(person.Id)).Select(e => (e.Id, e.Kind, e.SourceIdentifier)).OrderBy(e => e.Id));
        await using var db = feed.Portal.CreateDbContext();
        Assert.Equal(1, await db.Patients.CountAsync(p => p.Name == "Lim Wei Ming"));
    }

    [Theory]
    [InlineData("synthea-hospital.json")]
    [InlineData("synthea-practitioners.json")]
    public async Task Synthea_directory_bundles_are_accepted_with_every_entry_reported_as_not_kept(string fixture)
    {
        var json = Fixture.Load(fixture);

        var answer = await feed.PostAsync(json);

        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        Assert.Equal(Fixture.Entries(json).Count, answer.Statuses.Count);
        Assert.All(Enumerable.Range(0, answer.Statuses.Count), i => Assert.Contains(answer.EntryIssues(i), x => x.Severity == "information"));
    }

    [Fact]
    public async Task A_newborns_export_enrols_the_child()
    {
        var nric = Fixture.NewNric('T');

        var answer = await feed.PostAsync(Fixture.Load("synthea-child.json", nric));

        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        var child = await feed.PersonAsync(nric);
        Assert.Equal(("Ng Xin Yi", new DateOnly(2024, 3, 12), Sex.Female), (child!.Name, child.DateOfBirth, child.Sex));
        Assert.NotEmpty((await feed.EntriesAsync(child.Id)).OfType<VaccinationEntry>());
    }

    [Fact]
    public async Task A_hospital_EMR_export_with_relative_references_is_filed_and_states_nothing_the_source_did_not_say()
    {
        var nric = Fixture.NewNric('S');

        var answer = await feed.PostAsync(Fixture.Load("emr-inpatient.json", nric));

        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        var person = await feed.PersonAsync(nric);
        Assert.Equal("TAN BOON HUAT", person!.Name);
        Assert.Contains("Alvin Tan", person.Aliases);
        var entries = await feed.EntriesAsync(person.Id);
        Assert.Contains(entries.OfType<SummaryEntry>(), s => s.Type == SummaryType.Discharge && s.Text.Length > 0);
        var radiology = Assert.Single(entries.OfType<RadiologyResultEntry>(), r => r.ExaminationCode == "36643-5");
        Assert.NotNull(radiology.Conclusion);
        Assert.NotNull(radiology.Report);
        Assert.Contains(entries.OfType<VisitEntry>(), v => v.VisitClass == "Inpatient" && v.DischargeDisposition is not null);
        Assert.Contains(entries.OfType<LabResultEntry>(), l => l.Value.StartsWith("< ", StringComparison.Ordinal));
        Assert.Contains(entries.OfType<LabResultEntry>(), l => l.Value.StartsWith("No value: ", StringComparison.Ordinal));
        Assert.Contains(entries.OfType<LabResultEntry>(), l => l.Flag == AbnormalFlag.High);
        Assert.Contains(entries.OfType<DiagnosisEntry>(), d => d.ClinicalStatus == DiagnosisStatus.NotStated);
        var penicillin = entries.OfType<AllergyEntry>().Single();
        Assert.Equal((AllergyCategory.NotStated, AllergyCriticality.NotStated, "Anaphylaxis"), (penicillin.Category, penicillin.Criticality, penicillin.Reaction));
        Assert.Single(entries.OfType<ProcedureEntry>());
    }

    [Fact]
    public async Task A_Patient_whose_birth_date_disagrees_with_the_register_files_nothing_names_the_field_and_never_the_registers_value()
    {
        // "Bibi, female, born 2009" under the NRIC of Tan Mei Ling (born 1951).
        var tan = await FhirPerson.LoadAsync(feed.Portal, feed.World.OpenPatientId);
        var bibi = tan with { Name = "Bibi", BirthDate = new DateOnly(2009, 5, 1) };
        var before = await feed.Portal.ClinicalDataHashAsync();

        var answer = await feed.PostAsync(FhirBundles.Transaction(bibi, FhirBundles.Vaccination($"bibi-{Guid.NewGuid():N}")));

        Assert.Equal((HttpStatusCode)422, answer.Status);
        Assert.Equal("OperationOutcome", answer.ResourceType);
        var issue = Assert.Single(answer.Issues, i => i.Expression == "Bundle.entry[0].resource.birthDate");
        Assert.Equal(("error", "business-rule"), (issue.Severity, issue.Code));
        Assert.DoesNotContain(tan.BirthDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), answer.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(tan.Name, answer.Body, StringComparison.Ordinal);
        Assert.Equal(before, await feed.Portal.ClinicalDataHashAsync());

        await using var db = feed.Portal.CreateDbContext();
        var mismatch = await db.IdentityMismatches.OrderByDescending(m => m.Id).FirstAsync();
        Assert.Equal((tan.Nric, "birthDate", feed.World.HospitalId), (mismatch.Nric, mismatch.Field, mismatch.ProviderId));
        var log = await db.ContributionBatches.OrderByDescending(b => b.Id).FirstAsync();
        Assert.Equal((ContributionOutcome.Refused, 422), (log.Outcome, log.HttpStatus));
        Assert.Contains("business-rule", log.IssueCodes, StringComparison.Ordinal);
        var refused = await db.AuditEvents.OrderByDescending(e => e.Sequence).FirstAsync();
        Assert.Equal((AuditEventTypes.ContributionRefused, AuditOutcome.Failed), (refused.EventType, refused.Outcome));
    }

    [Theory]
    [InlineData("name", "Bibi binte Osman", 0)]
    [InlineData("gender", null, 1)]
    public async Task A_Patient_whose_name_or_sex_disagrees_with_the_register_files_nothing(string field, string? name, int otherSex)
    {
        var tan = await FhirPerson.LoadAsync(feed.Portal, feed.World.OpenPatientId);
        var sent = tan with { Name = name ?? tan.Name, Sex = otherSex == 1 ? Sex.Male : tan.Sex };
        var before = await feed.Portal.ClinicalDataHashAsync();

        var answer = await feed.PostAsync(FhirBundles.Transaction(sent, FhirBundles.Diagnosis($"mismatch-{Guid.NewGuid():N}")));

        Assert.Equal((HttpStatusCode)422, answer.Status);
        Assert.Contains(answer.Issues, i => i.Code == "business-rule" && i.Expression == $"Bundle.entry[0].resource.{field}");
        Assert.Equal(before, await feed.Portal.ClinicalDataHashAsync());
    }

    [Theory]
    [InlineData("TAN MEI LING")]
    [InlineData("Mei Ling Tan")]
    [InlineData("Tan Mei-Ling")]
    [InlineData("tan  meiling")]
    public async Task The_register_name_written_another_way_matches(string written)
    {
        var tan = await FhirPerson.LoadAsync(feed.Portal, feed.World.OpenPatientId);

        var answer = await feed.PostAsync(FhirBundles.Transaction(tan with { Name = written }, FhirBundles.Diagnosis($"variant-{Guid.NewGuid():N}")));

        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
    }

    [Fact]
    public async Task A_source_identifier_filed_under_one_person_is_refused_for_another_until_the_source_withdraws_it()
    {
        var a = NewPerson("Goh Ah Bee", Sex.Female, 1960);
        var b = NewPerson("Goh Ah Bee", Sex.Female, 1961);
        var id = $"allergy-{Guid.NewGuid():N}";
        Assert.Equal(HttpStatusCode.OK, (await feed.PostAsync(FhirBundles.Transaction(a, FhirBundles.Allergy(id)))).Status);
        var personA = await feed.PersonAsync(a.Nric);

        // The same identifier resent under another NRIC would move the allergy: refused, and it stays with its patient.
        var moved = await feed.PostAsync(FhirBundles.Transaction(b, FhirBundles.Allergy(id, "Aspirin")));
        Assert.Equal((HttpStatusCode)422, moved.Status);
        Assert.Contains(moved.Issues, i => i.Code == "business-rule" && i.Diagnostics.Contains("entered-in-error", StringComparison.Ordinal));
        Assert.Equal("Penicillin", Assert.Single((await feed.EntriesAsync(personA!.Id)).OfType<AllergyEntry>()).Substance);
        Assert.Null(await feed.PersonAsync(b.Nric));

        // Withdrawn by the source under its own patient: hidden from clinicians, kept, shown withdrawn to the patient.
        var withdrawal = FhirBundles.Allergy(id);
        withdrawal.VerificationStatus = new CodeableConcept("http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "entered-in-error");
        var withdrawn = await feed.PostAsync(FhirBundles.Transaction(a, withdrawal));
        Assert.True(withdrawn.Status == HttpStatusCode.OK, withdrawn.ToString());
        Assert.Contains(withdrawn.EntryIssues(1), i => i.Diagnostics.StartsWith("Withdrawn", StringComparison.Ordinal));
        var kept = Assert.IsType<AllergyEntry>(Assert.Single(await feed.EntriesAsync(personA.Id)));
        Assert.NotNull(kept.WithdrawnAtUtc);
        // It reads as the source now says (entered in error, no clinical status), not "confirmed, active" as before.
        Assert.Equal("entered-in-error", kept.Verification);
        Assert.Null(kept.Status);

        // Now the identifier may be filed under the other person; the first stays withdrawn under the first.
        var refiled = await feed.PostAsync(FhirBundles.Transaction(b, FhirBundles.Allergy(id, "Aspirin")));
        Assert.True(refiled.Status == HttpStatusCode.OK, refiled.ToString());
        var personB = await feed.PersonAsync(b.Nric);
        Assert.Equal("Aspirin", Assert.Single((await feed.EntriesAsync(personB!.Id)).OfType<AllergyEntry>()).Substance);
        Assert.NotNull(Assert.Single(await feed.EntriesAsync(personA.Id)).WithdrawnAtUtc);
    }

    [Fact]
    public async Task A_withdrawn_entry_is_hidden_from_clinicians_and_shown_withdrawn_to_the_patient()
    {
        var tan = await FhirPerson.LoadAsync(feed.Portal, feed.World.OpenPatientId);
        var id = $"dx-{Guid.NewGuid():N}";
        Assert.Equal(HttpStatusCode.OK, (await feed.PostAsync(FhirBundles.Transaction(tan, FhirBundles.Diagnosis(id, "Tuberculosis")))).Status);
        var withdrawal = FhirBundles.Diagnosis(id, "Tuberculosis");
        withdrawal.VerificationStatus = new CodeableConcept("http://terminology.hl7.org/CodeSystem/condition-ver-status", "entered-in-error");

        Assert.Equal(HttpStatusCode.OK, (await feed.PostAsync(FhirBundles.Transaction(tan, withdrawal))).Status);

        var clinician = await feed.OpenAsDoctorAsync(feed.World.OpenPatientId);
        Assert.DoesNotContain(clinician.Entries[EntryKind.Diagnosis].Items.OfType<DiagnosisEntry>(), d => d.Description == "Tuberculosis");
        var own = await feed.Portal.WithAsync<RecordGate, RecordView>(g => g.OpenOwnRecordAsync(DemoWorld.As(feed.World.PatientUserId), EntryKind.Diagnosis, 1, 100));
        var shown = Assert.Single(own.Entries[EntryKind.Diagnosis].Items.OfType<DiagnosisEntry>(), d => d.Description == "Tuberculosis");
        Assert.True(shown.IsWithdrawn);
        Assert.Equal(("entered-in-error", DiagnosisStatus.NotStated), (shown.Verification, shown.ClinicalStatus));
    }

    [Fact]
    public async Task Source_identifiers_are_kept_and_compared_whole()
    {
        var a = NewPerson("Koh Li Hua", Sex.Female, 1970);
        var b = NewPerson("Koh Li Hua", Sex.Female, 1971);
        var prefix = new string('x', 300);

        var first = await feed.PostAsync(FhirBundles.Transaction(a, FhirBundles.Allergy(prefix + "-A", "Latex")));
        var second = await feed.PostAsync(FhirBundles.Transaction(b, FhirBundles.Allergy(prefix + "-B", "Peanut")));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.Status, second.Status));
        var allergyA = Assert.Single((await feed.EntriesAsync((await feed.PersonAsync(a.Nric))!.Id)).OfType<AllergyEntry>());
        var allergyB = Assert.Single((await feed.EntriesAsync((await feed.PersonAsync(b.Nric))!.Id)).OfType<AllergyEntry>());
        Assert.Equal(($"urn:cgh:emr|{prefix}-A", "Latex"), (allergyA.SourceIdentifier, allergyA.Substance));
        Assert.Equal(($"urn:cgh:emr|{prefix}-B", "Peanut"), (allergyB.SourceIdentifier, allergyB.Substance));
    }

    [Fact]
    public async Task One_fullUrl_for_two_NRICs_or_one_Patient_with_two_NRICs_is_refused_without_a_choice()
    {
        var a = NewPerson("Lee Kok Wah", Sex.Male, 1955);
        var b = NewPerson("Lee Kok Wah", Sex.Male, 1955);
        var before = await feed.Portal.ClinicalDataHashAsync();

        var shared = FhirBundles.Transaction(a, FhirBundles.Diagnosis($"fu-{Guid.NewGuid():N}"));
        shared.Entry.Add(new Bundle.EntryComponent { FullUrl = shared.Entry[0].FullUrl, Resource = b.ToFhir(), Request = shared.Entry[0].Request });
        var oneUrl = await feed.PostAsync(shared);

        var twoNrics = FhirBundles.Transaction(a, FhirBundles.Diagnosis($"two-{Guid.NewGuid():N}"));
        ((Hl7.Fhir.Model.Patient)twoNrics.Entry[0].Resource!).Identifier.Add(new Identifier(FhirBundleReader.NricSystem, b.Nric));
        var twoAnswer = await feed.PostAsync(twoNrics);

        Assert.Equal(HttpStatusCode.BadRequest, oneUrl.Status);
        Assert.Contains(oneUrl.Issues, i => i.Expression == "Bundle.entry[2].fullUrl");
        Assert.Equal((HttpStatusCode)422, twoAnswer.Status);
        Assert.Contains(twoAnswer.Issues, i => i.Code == "business-rule" && i.Expression == "Bundle.entry[0].resource.identifier");
        Assert.Equal(before, await feed.Portal.ClinicalDataHashAsync());
    }

    [Fact]
    public async Task An_entry_for_a_person_without_a_Patient_in_the_bundle_is_refused()
    {
        var tan = await FhirPerson.LoadAsync(feed.Portal, feed.World.OpenPatientId);
        var bundle = FhirBundles.Transaction(tan, FhirBundles.Diagnosis($"nop-{Guid.NewGuid():N}"));
        bundle.Entry.RemoveAt(0);
        ((Condition)bundle.Entry[0].Resource!).Subject = new ResourceReference { Identifier = new Identifier(FhirBundleReader.NricSystem, tan.Nric) };

        var answer = await feed.PostAsync(bundle);

        Assert.Equal((HttpStatusCode)422, answer.Status);
        Assert.Contains(answer.Issues, i => i.Expression == "Bundle.entry[0].resource.subject.identifier" && i.Diagnostics.Contains("must carry the Patient", StringComparison.Ordinal));
    }

    [Fact]
    public async Task What_the_NEHR_does_not_keep_is_reported_and_the_rest_of_the_transaction_is_applied()
    {
        var person = NewPerson("Ong Bee Lian", Sex.Female, 1949);
        var vital = FhirBundles.Lab($"bp-{Guid.NewGuid():N}", 120, category: "vital-signs");
        var claim = new Claim
        {
            Status = FinancialResourceStatusCodes.Active, Use = ClaimUseCode.Claim, Created = "2025-06-04", Patient = new ResourceReference("urn:uuid:7d1c3b7e-0000-4000-8000-000000000001"),
            Type = new CodeableConcept("http://terminology.hl7.org/CodeSystem/claim-type", "professional"),
            Provider = new ResourceReference { Display = "CGH" }, Priority = new CodeableConcept("http://terminology.hl7.org/CodeSystem/processpriority", "normal"),
            Insurance = [new Claim.InsuranceComponent { Sequence = 1, Focal = true, Coverage = new ResourceReference { Display = "MediShield Life" } }],
        };
        var bundle = FhirBundles.Transaction(person, vital, FhirBundles.Lab($"hb-{Guid.NewGuid():N}"));
        bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = $"urn:uuid:{Guid.NewGuid()}", Resource = claim, Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Claim" } });

        var answer = await feed.PostAsync(bundle);

        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        Assert.Equal(["201 Created", "200 OK", "201 Created", "200 OK"], answer.Statuses);
        Assert.Contains(answer.EntryIssues(1), i => i is ("information", "informational", _) && i.Diagnostics.Contains("vital-signs", StringComparison.Ordinal));
        Assert.Contains(answer.EntryIssues(3), i => i is ("information", "informational", _) && i.Diagnostics.Contains("Claim", StringComparison.Ordinal));
        Assert.Single(await feed.EntriesAsync((await feed.PersonAsync(person.Nric))!.Id));
    }

    [Fact]
    public async Task In_a_batch_each_entry_stands_alone_with_its_own_status()
    {
        var person = NewPerson("Yeo Chin Huat", Sex.Male, 1977);
        var bundle = FhirBundles.Transaction(person, FhirBundles.Diagnosis($"ok-{Guid.NewGuid():N}"), FhirBundles.Diagnosis($"bad-{Guid.NewGuid():N}", text: null), FhirBundles.Vaccination($"ok-{Guid.NewGuid():N}"));
        bundle.Type = Bundle.BundleType.Batch;

        var answer = await feed.PostAsync(bundle);

        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        Assert.Equal("batch-response", answer.Json.GetProperty("type").GetString());
        Assert.Equal(["201 Created", "201 Created", "422 Unprocessable Entity", "201 Created"], answer.Statuses);
        Assert.Contains(answer.EntryIssues(2), i => i.Severity == "error");
        Assert.Equal(2, (await feed.EntriesAsync((await feed.PersonAsync(person.Nric))!.Id)).Count);
        await using var db = feed.Portal.CreateDbContext();
        var log = await db.ContributionBatches.OrderByDescending(b => b.Id).FirstAsync();
        Assert.Equal((ContributionOutcome.PartlyAccepted, 2, 1), (log.Outcome, log.ResourceCount, log.RefusedCount));
    }

    [Fact]
    public async Task MOH_compliance_counts_each_systems_refusals_in_whole_or_in_part_with_the_last_one_and_its_last_good_contribution()
    {
        var moh = DemoWorld.As(feed.World.MohAdminUserId);
        async Task<SystemCompliance> SystemAsync() =>
            (await feed.Portal.WithAsync<OversightDashboard, IReadOnlyList<ComplianceRow>>(d => d.ComplianceAsync(moh)))
                .Single(r => r.ProviderId == feed.World.HospitalId).Systems.Single(s => s.Kind == SystemKind.ProviderFeed);
        Bundle PartlyBad(FhirPerson who)
        {
            var batch = FhirBundles.Transaction(who, FhirBundles.Vaccination($"ok-{Guid.NewGuid():N}"), FhirBundles.Diagnosis($"bad-{Guid.NewGuid():N}", text: null));
            batch.Type = Bundle.BundleType.Batch;
            return batch;
        }

        var before = await SystemAsync();
        var person = NewPerson("Koh Siew Lan", Sex.Female, 1968);
        Assert.Equal(HttpStatusCode.OK, (await feed.PostAsync(FhirBundles.Transaction(person, FhirBundles.Diagnosis($"ok-{Guid.NewGuid():N}")))).Status);
        var good = await SystemAsync();
        Assert.NotNull(good.LastGoodContributionUtc);
        Assert.True(good.LastGoodContributionUtc >= (before.LastGoodContributionUtc ?? DateTime.MinValue));
        Assert.Equal((before.RequestsLast30Days + 1, before.RefusedLast30Days), (good.RequestsLast30Days, good.RefusedLast30Days));

        // Refused whole (an empty bundle), then refused in part (a batch with one bad entry): both count, the last is shown.
        Assert.Equal(HttpStatusCode.BadRequest, (await feed.PostAsync("{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[]}")).Status);
        var refused = await SystemAsync();
        Assert.Contains("Bundle.entry", refused.LastRefusalIssueText, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await feed.PostAsync(PartlyBad(person))).Status);

        var after = await SystemAsync();
        Assert.Equal((before.RequestsLast30Days + 3, before.RefusedLast30Days + 2), (after.RequestsLast30Days, after.RefusedLast30Days));
        Assert.Contains("Bundle.entry[2].resource.code", after.LastRefusalIssueText, StringComparison.Ordinal);
        Assert.True(after.LastRefusalUtc >= refused.LastRefusalUtc);
        Assert.True(after.LastGoodContributionUtc >= good.LastGoodContributionUtc, "a batch that kept an entry is a good contribution too");
    }

    [Fact]
    public async Task A_transaction_with_one_bad_entry_files_nothing_and_leaves_a_trace()
    {
        var person = NewPerson("Lau Mei Fong", Sex.Female, 1990);
        var before = await feed.Portal.ClinicalDataHashAsync();
        await using var db = feed.Portal.CreateDbContext();
        var logRows = await db.ContributionBatches.CountAsync();

        var answer = await feed.PostAsync(FhirBundles.Transaction(person, FhirBundles.Diagnosis($"ok-{Guid.NewGuid():N}"), FhirBundles.Diagnosis($"bad-{Guid.NewGuid():N}", text: null)));

        Assert.Equal((HttpStatusCode)422, answer.Status);
        Assert.Contains(answer.Issues, i => i.Expression == "Bundle.entry[2].resource.code");
        Assert.Equal(before, await feed.Portal.ClinicalDataHashAsync());
        Assert.Null(await feed.PersonAsync(person.Nric));
        Assert.Equal(logRows + 1, await db.ContributionBatches.CountAsync());
        var log = await db.ContributionBatches.OrderByDescending(b => b.Id).FirstAsync();
        Assert.Equal((ContributionOutcome.Refused, 422, 0), (log.Outcome, log.HttpStatus, log.ResourceCount));
        Assert.Contains("Bundle.entry[2].resource.code", log.IssueText, StringComparison.Ordinal);
        Assert.DoesNotContain(person.Nric, log.IssueText ?? string.Empty, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_property_given_twice_is_refused_with_its_name()
    {
        var answer = await feed.PostAsync("{\"resourceType\":\"Bundle\",\n\"type\":\"batch\",\n\"type\":\"transaction\",\"entry\":[]}");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        var issue = Assert.Single(answer.Issues);
        Assert.Contains("Duplicate property 'type'", issue.Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_bundle_is_refused_with_400_and_is_not_counted_as_a_contribution()
    {
        await using var db = feed.Portal.CreateDbContext();
        var accepted = await db.ContributionBatches.CountAsync(b => b.Outcome != ContributionOutcome.Refused);

        var answer = await feed.PostAsync("{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[]}");

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal(accepted, await db.ContributionBatches.CountAsync(b => b.Outcome != ContributionOutcome.Refused));
        var log = await db.ContributionBatches.OrderByDescending(b => b.Id).FirstAsync();
        Assert.Equal((ContributionOutcome.Refused, 400), (log.Outcome, log.HttpStatus));
    }

    [Theory]
    [InlineData("application/fhir+xml", "XML")]
    [InlineData("text/plain", "application/fhir+json")]
    [InlineData("application/fhir+json; charset=iso-8859-1", "UTF-8")]
    public async Task A_body_that_is_not_FHIR_JSON_gets_415_with_an_operation_outcome(string contentType, string said)
    {
        var tan = await FhirPerson.LoadAsync(feed.Portal, feed.World.OpenPatientId);

        var answer = await feed.PostAsync(FhirBundles.Json(FhirBundles.Transaction(tan, FhirBundles.Diagnosis("ct"))), contentType: contentType);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, answer.Status);
        Assert.Equal("application/fhir+json", answer.MediaType);
        Assert.Contains(answer.Issues, i => i.Diagnostics.Contains(said, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_token_in_the_Authorization_header_the_answer_is_401_with_an_operation_outcome()
    {
        var token = await feed.TokenAsync();
        var tan = await FhirPerson.LoadAsync(feed.Portal, feed.World.OpenPatientId);
        var json = FhirBundles.Json(FhirBundles.Transaction(tan, FhirBundles.Diagnosis("qs")));
        var before = await feed.Portal.ClinicalDataHashAsync();

        using var inQuery = new HttpRequestMessage(HttpMethod.Post, $"/fhir?access_token={Uri.EscapeDataString(token)}") { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/fhir+json") };
        using var queryAnswer = await feed.Client.SendAsync(inQuery);
        using var none = new HttpRequestMessage(HttpMethod.Post, "/fhir") { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/fhir+json") };
        using var noneAnswer = await feed.Client.SendAsync(none);

        foreach (var response in new[] { queryAnswer, noneAnswer })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal("OperationOutcome", new Answer(response.StatusCode, null, body).ResourceType);
        }

        Assert.Equal(before, await feed.Portal.ClinicalDataHashAsync());
    }

    [Fact]
    public async Task Another_method_or_an_unknown_path_on_the_FHIR_base_gets_an_operation_outcome_not_a_page()
    {
        using var get = await feed.Client.GetAsync("/fhir");
        using var unknown = await feed.Client.GetAsync("/fhir/Observation/123");

        foreach (var response in new[] { get, unknown })
        {
            Assert.True((int)response.StatusCode is 404 or 405, response.StatusCode.ToString());
            Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("OperationOutcome", new Answer(response.StatusCode, null, await response.Content.ReadAsStringAsync()).ResourceType);
        }
    }
}
