using System.Net;
using System.Text.Json.Nodes;
using Hl7.Fhir.Model;
using Nehr.Core.Contribution;
using Nehr.Core.Records;
using Task = System.Threading.Tasks.Task;

namespace Nehr.Integration.Tests;

/// <summary>
/// Edge cases of real feeds found by a review of the reader: identifiers with spaces at their ends, duplicates in a
/// batch, a refused Patient followed by another for the same person, what is not kept (faulty or undated, or a result
/// not yet resulted), ambiguous and conditional references, an encounter of another person, a document sent twice as
/// two resource types, a former NRIC/FIN, a cancelled result.
/// </summary>
public sealed class FeedEdgeCaseTests(FeedPortal feed) : IClassFixture<FeedPortal>
{
    private static FhirPerson NewPerson(string name, Sex sex = Sex.Female, int year = 1985) =>
        new(Fixture.NewNric(), name, new DateOnly(year, 4, 5), sex);

    private static string Uuid() => $"urn:uuid:{Guid.NewGuid()}";

    private static Bundle.EntryComponent Post(Resource resource, string? fullUrl = null) => new()
    {
        FullUrl = fullUrl ?? Uuid(),
        Resource = resource,
        Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = resource.TypeName },
    };

    private async Task<List<ClinicalEntry>> EntriesOfAsync(FhirPerson person) =>
        await feed.EntriesAsync((await feed.PersonAsync(person.Nric))!.Id);

    [Fact]
    public async Task An_identifier_with_spaces_at_its_ends_is_found_again_on_resend_and_stays_with_its_patient()
    {
        var a = NewPerson("Ong Mei Hua");
        var b = NewPerson("Lee Kah Wai", Sex.Male);
        var id = $"al-{Guid.NewGuid():N} ";
        Assert.Equal(HttpStatusCode.OK, (await feed.PostAsync(FhirBundles.Transaction(a, FhirBundles.Allergy(id)))).Status);

        var again = await feed.PostAsync(FhirBundles.Transaction(a, FhirBundles.Allergy(id, "Aspirin")));

        Assert.True(again.Status == HttpStatusCode.OK, again.ToString());
        Assert.Equal("Aspirin", Assert.Single((await EntriesOfAsync(a)).OfType<AllergyEntry>()).Substance);
        var elsewhere = await feed.PostAsync(FhirBundles.Transaction(b, FhirBundles.Allergy(id.Trim())));
        Assert.Equal((HttpStatusCode)422, elsewhere.Status);
        Assert.Contains(elsewhere.Issues, i => i.Code == "business-rule" && i.Expression == "Bundle.entry[1].resource.identifier");

        // And the other way round: filed without spaces, sent with them for someone else.
        var plain = $"al-{Guid.NewGuid():N}";
        Assert.Equal(HttpStatusCode.OK, (await feed.PostAsync(FhirBundles.Transaction(a, FhirBundles.Allergy(plain)))).Status);
        var spaced = await feed.PostAsync(FhirBundles.Transaction(b, FhirBundles.Allergy($"  {plain}  ")));
        Assert.Equal((HttpStatusCode)422, spaced.Status);
        Assert.Null(await feed.PersonAsync(b.Nric));
    }

    [Fact]
    public async Task In_a_batch_a_second_entry_with_the_same_identifier_fails_and_only_the_first_is_filed()
    {
        var person = NewPerson("Goh Swee Lan");
        var id = $"lab-{Guid.NewGuid():N}";
        var bundle = FhirBundles.Transaction(person, FhirBundles.Lab(id, 7.0m), FhirBundles.Lab(id, 7.4m));
        bundle.Type = Bundle.BundleType.Batch;

        var answer = await feed.PostAsync(bundle);

        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        Assert.Equal(["201 Created", "201 Created", "422 Unprocessable Entity"], answer.Statuses);
        Assert.Single(await EntriesOfAsync(person));
    }

    [Fact]
    public async Task In_a_batch_a_Patient_that_follows_a_refused_one_for_the_same_person_is_refused_with_it()
    {
        var person = new FhirPerson(Fixture.NewNric(), "Tan Ah Kow", new DateOnly(1890, 1, 1), Sex.Male); // more than 130 years ago
        var bundle = FhirBundles.Transaction(person, FhirBundles.Diagnosis($"dx-{Guid.NewGuid():N}"));
        bundle.Entry.Add(Post(person.ToFhir()));
        bundle.Type = Bundle.BundleType.Batch;

        var answer = await feed.PostAsync(bundle);

        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        Assert.All(answer.Statuses, s => Assert.StartsWith("4", s, StringComparison.Ordinal));
        Assert.Contains(answer.EntryIssues(2), i => i.Diagnostics.Contains("entry 0", StringComparison.Ordinal));
        Assert.Null(await feed.PersonAsync(person.Nric));
    }

    [Fact]
    public async Task What_the_NEHR_does_not_keep_refuses_nothing_even_when_it_is_faulty_unless_the_fault_is_in_what_decides()
    {
        var person = NewPerson("Heng Li Ping");
        var json = JsonNode.Parse(FhirBundles.Json(FhirBundles.Transaction(person,
            FhirBundles.Lab($"lab-{Guid.NewGuid():N}"), FhirBundles.Lab($"vs-{Guid.NewGuid():N}", 72m, "vital-signs"))))!;
        var vital = json["entry"]![2]!["resource"]!;
        vital["valueQuantity"]!["value"] = "seventy-two";
        vital["encounter"] = new JsonObject { ["reference"] = "urn:uuid:00000000-0000-4000-8000-0000000000ff" };

        var answer = await feed.PostAsync(json.ToJsonString());

        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        Assert.Equal(["201 Created", "201 Created", "200 OK"], answer.Statuses);
        Assert.Contains(answer.EntryIssues(2), i => i.Severity == "information" && i.Diagnostics.Contains("vital-signs", StringComparison.Ordinal));
        Assert.Single(await EntriesOfAsync(person));

        // A fault in the category itself: whether it would be kept cannot be told, so it is an error.
        var other = NewPerson("Heng Li Min");
        var broken = JsonNode.Parse(FhirBundles.Json(FhirBundles.Transaction(other, FhirBundles.Lab($"lab-{Guid.NewGuid():N}"))))!;
        broken["entry"]![1]!["resource"]!["category"]![0]!["coding"]![0]!["code"] = 5;
        var refused = await feed.PostAsync(broken.ToJsonString());
        Assert.True(refused.Status is HttpStatusCode.BadRequest or (HttpStatusCode)422, refused.ToString());
        Assert.Null(await feed.PersonAsync(other.Nric));
    }

    [Fact]
    public async Task An_undated_procedure_and_a_result_not_yet_resulted_are_reported_not_kept_and_the_rest_is_filed()
    {
        var person = NewPerson("Soh Bee Choo");
        var procedure = FhirBundles.Procedure($"pr-{Guid.NewGuid():N}");
        procedure.Performed = null;
        var pending = FhirBundles.Lab($"lab-{Guid.NewGuid():N}");
        pending.Value = null;
        pending.Status = ObservationStatus.Registered;

        var answer = await feed.PostAsync(FhirBundles.Transaction(person, procedure, pending, FhirBundles.Diagnosis($"dx-{Guid.NewGuid():N}")));

        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        Assert.Equal(["201 Created", "200 OK", "200 OK", "201 Created"], answer.Statuses);
        Assert.Contains(answer.EntryIssues(1), i => i.Severity == "information" && i.Diagnostics.Contains("without a date", StringComparison.Ordinal));
        Assert.Contains(answer.EntryIssues(2), i => i.Severity == "information" && i.Diagnostics.Contains("without a value", StringComparison.Ordinal));
        Assert.IsType<DiagnosisEntry>(Assert.Single(await EntriesOfAsync(person)));
    }

    public static TheoryData<string> Undated => ["AllergyIntolerance", "Condition", "Encounter", "DocumentReference", "MedicationRequest", "Observation"];

    [Theory]
    [MemberData(nameof(Undated))]
    public async Task An_entry_without_the_date_FHIR_leaves_optional_is_reported_not_kept_never_given_a_date(string type)
    {
        var person = NewPerson($"Undated {type}");
        var id = $"u-{Guid.NewGuid():N}";
        Resource undated = type switch
        {
            "AllergyIntolerance" => FhirBundles.Allergy(id).Also(a => a.RecordedDate = null),
            "Condition" => FhirBundles.Diagnosis(id).Also(c => c.RecordedDate = null),
            "Encounter" => FhirBundles.Visit(id).Also(e => e.Period = null),
            "DocumentReference" => FhirBundles.Letter(id).Also(d => d.Date = null),
            "MedicationRequest" => FhirBundles.Prescription(id).Also(m => m.AuthoredOn = null),
            _ => FhirBundles.Lab(id).Also(o => o.Effective = null),
        };

        var answer = await feed.PostAsync(FhirBundles.Transaction(person, undated, FhirBundles.Vaccination($"imm-{Guid.NewGuid():N}")));

        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        Assert.Equal(["201 Created", "200 OK", "201 Created"], answer.Statuses);
        Assert.Contains(answer.EntryIssues(1), i => i.Severity == "information" && i.Diagnostics.Contains("without a date", StringComparison.Ordinal));
        Assert.IsType<VaccinationEntry>(Assert.Single(await EntriesOfAsync(person)));
    }

    [Fact]
    public async Task A_relative_reference_to_an_id_two_Patients_share_resolves_to_neither()
    {
        var a = NewPerson("Chan Wai Kit", Sex.Male, 1970);
        var b = NewPerson("Chan Wai Loon", Sex.Male, 2001);
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        foreach (var person in new[] { a, b })
        {
            var patient = person.ToFhir();
            patient.Id = "1";
            bundle.Entry.Add(Post(patient));
        }

        var lab = FhirBundles.Lab($"lab-{Guid.NewGuid():N}");
        lab.Subject = new ResourceReference("Patient/1");
        bundle.Entry.Add(Post(lab));

        var answer = await feed.PostAsync(bundle);

        Assert.Equal((HttpStatusCode)422, answer.Status);
        Assert.Contains(answer.Issues, i => i.Expression == "Bundle.entry[2].resource.subject.reference");
        Assert.Null(await feed.PersonAsync(a.Nric));
        Assert.Null(await feed.PersonAsync(b.Nric));
    }

    [Fact]
    public async Task A_result_whose_encounter_is_another_persons_is_refused()
    {
        var a = NewPerson("Lim Ah Seng", Sex.Male, 1950);
        var b = NewPerson("Lim Ah Lian", Sex.Female, 1952);
        var bundle = FhirBundles.Transaction(a, FhirBundles.Lab($"lab-{Guid.NewGuid():N}"));
        var bUrl = Uuid();
        bundle.Entry.Add(Post(b.ToFhir(), bUrl));
        var visit = FhirBundles.Visit($"enc-{Guid.NewGuid():N}");
        visit.Subject = new ResourceReference(bUrl);
        var visitUrl = Uuid();
        bundle.Entry.Add(Post(visit, visitUrl));
        ((Observation)bundle.Entry[1].Resource!).Encounter = new ResourceReference(visitUrl);

        var answer = await feed.PostAsync(bundle);

        Assert.Equal((HttpStatusCode)422, answer.Status);
        Assert.Contains(answer.Issues, i => i.Code == "business-rule" && i.Expression == "Bundle.entry[1].resource.encounter");
        Assert.Null(await feed.PersonAsync(a.Nric));
    }

    [Fact]
    public async Task A_conditional_reference_by_NRIC_files_under_the_Patient_of_the_bundle_with_that_NRIC_and_no_other()
    {
        var person = NewPerson("Seah Kim Hock", Sex.Male);
        var bundle = FhirBundles.Transaction(person, FhirBundles.Vaccination($"imm-{Guid.NewGuid():N}"));
        ((Immunization)bundle.Entry[1].Resource!).Patient =
            new ResourceReference($"Patient?identifier={Uri.EscapeDataString($"{FhirBundleReader.NricSystem}|{person.Nric}")}");

        var answer = await feed.PostAsync(bundle);

        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        Assert.IsType<VaccinationEntry>(Assert.Single(await EntriesOfAsync(person)));

        var stranger = NewPerson("Seah Kim Leng", Sex.Male);
        var elsewhere = FhirBundles.Transaction(stranger, FhirBundles.Vaccination($"imm-{Guid.NewGuid():N}"));
        ((Immunization)elsewhere.Entry[1].Resource!).Patient = new ResourceReference($"Patient?identifier={FhirBundleReader.NricSystem}|{Fixture.NewNric()}");
        var refused = await feed.PostAsync(elsewhere);
        Assert.Equal((HttpStatusCode)422, refused.Status);
        Assert.Contains(refused.Issues, i => i.Expression == "Bundle.entry[1].resource.patient.identifier");
    }

    [Fact]
    public async Task A_document_sent_as_a_Composition_and_as_a_DocumentReference_with_one_identifier_is_kept_once()
    {
        var person = NewPerson("Yap Siew Ping");
        var id = $"doc-{Guid.NewGuid():N}";

        var answer = await feed.PostAsync(FhirBundles.Transaction(person, FhirBundles.DischargeSummary(id), FhirBundles.Letter(id)));

        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        Assert.Equal(["201 Created", "201 Created", "200 OK"], answer.Statuses);
        Assert.Contains(answer.EntryIssues(2), i => i.Severity == "information" && i.Diagnostics.Contains("Composition", StringComparison.Ordinal));
        Assert.Single(await EntriesOfAsync(person));
    }

    [Fact]
    public async Task One_identifier_for_two_people_or_for_a_document_and_its_withdrawal_is_refused_not_skipped()
    {
        var a = NewPerson("Toh Kim Lan");
        var b = NewPerson("Toh Kim Hock", Sex.Male, 1980);
        var id = $"doc-{Guid.NewGuid():N}";
        var bundle = FhirBundles.Transaction(a, FhirBundles.DischargeSummary(id));
        var bUrl = Uuid();
        bundle.Entry.Add(Post(b.ToFhir(), bUrl));
        var letter = FhirBundles.Letter(id);
        letter.Subject = new ResourceReference(bUrl);
        bundle.Entry.Add(Post(letter));

        var answer = await feed.PostAsync(bundle);

        Assert.Equal((HttpStatusCode)422, answer.Status);
        Assert.Contains(answer.Issues, i => i.Severity == "error" && i.Expression == "Bundle.entry[3].resource.identifier");
        Assert.Null(await feed.PersonAsync(a.Nric));
    }

    [Fact]
    public async Task A_conditional_reference_and_an_identifier_naming_two_people_are_refused()
    {
        var a = NewPerson("Quah Bee Lian");
        var b = NewPerson("Quah Bee Hong", Sex.Male, 1979);
        var bundle = FhirBundles.Transaction(a, FhirBundles.Vaccination($"imm-{Guid.NewGuid():N}"));
        bundle.Entry.Add(Post(b.ToFhir()));
        ((Immunization)bundle.Entry[1].Resource!).Patient = new ResourceReference($"Patient?identifier={FhirBundleReader.NricSystem}|{a.Nric}")
        {
            Identifier = new Identifier(FhirBundleReader.NricSystem, b.Nric),
        };

        var answer = await feed.PostAsync(bundle);

        Assert.Equal((HttpStatusCode)422, answer.Status);
        Assert.Contains(answer.Issues, i => i.Code == "business-rule" && i.Expression == "Bundle.entry[1].resource.patient.identifier");
    }

    [Fact]
    public async Task An_encounter_of_another_person_named_by_conditional_reference_is_refused_and_one_with_no_resource_is_no_500()
    {
        var a = NewPerson("Low Siew Eng");
        var b = NewPerson("Low Siew Kee", Sex.Female, 1983);
        var bundle = FhirBundles.Transaction(a, FhirBundles.Lab($"lab-{Guid.NewGuid():N}"));
        bundle.Entry.Add(Post(b.ToFhir()));
        var visit = FhirBundles.Visit($"enc-{Guid.NewGuid():N}");
        visit.Subject = new ResourceReference($"Patient?identifier={FhirBundleReader.NricSystem}|{b.Nric}");
        var visitUrl = Uuid();
        bundle.Entry.Add(Post(visit, visitUrl));
        ((Observation)bundle.Entry[1].Resource!).Encounter = new ResourceReference(visitUrl);

        var answer = await feed.PostAsync(bundle);

        Assert.Equal((HttpStatusCode)422, answer.Status);
        Assert.Contains(answer.Issues, i => i.Code == "business-rule" && i.Expression == "Bundle.entry[1].resource.encounter");

        // The encounter reference points to an entry without a resource: refused, never a 500.
        var json = JsonNode.Parse(FhirBundles.Json(FhirBundles.Transaction(a, FhirBundles.Lab($"lab-{Guid.NewGuid():N}"))))!;
        const string empty = "urn:uuid:00000000-0000-4000-8000-0000000000ee";
        json["entry"]![1]!["resource"]!["encounter"] = new JsonObject { ["reference"] = empty };
        json["entry"]!.AsArray().Add(new JsonObject { ["fullUrl"] = empty, ["request"] = new JsonObject { ["method"] = "POST", ["url"] = "Encounter" } });
        var broken = await feed.PostAsync(json.ToJsonString());
        Assert.True(broken.Status is HttpStatusCode.BadRequest or (HttpStatusCode)422, broken.ToString());
        Assert.Equal("OperationOutcome", broken.ResourceType);
    }

    [Fact]
    public async Task A_former_NRIC_the_register_knows_on_any_Patient_of_the_bundle_refuses_every_Patient_with_the_new_one()
    {
        var known = NewPerson("Chia Ah Lek", Sex.Male, 1966);
        Assert.Equal(HttpStatusCode.OK, (await feed.PostAsync(FhirBundles.Transaction(known, FhirBundles.Diagnosis($"dx-{Guid.NewGuid():N}")))).Status);
        var renumbered = known with { Nric = Fixture.NewNric('S') };
        var bundle = FhirBundles.Transaction(renumbered, FhirBundles.Diagnosis($"dx-{Guid.NewGuid():N}"));
        var second = renumbered.ToFhir();
        second.Identifier.Add(new Identifier(FhirBundleReader.NricSystem, known.Nric) { Use = Identifier.IdentifierUse.Old });
        bundle.Entry.Add(Post(second));
        bundle.Type = Bundle.BundleType.Batch;

        var answer = await feed.PostAsync(bundle);

        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        Assert.All(answer.Statuses, s => Assert.StartsWith("4", s, StringComparison.Ordinal));
        Assert.Null(await feed.PersonAsync(renumbered.Nric));
    }

    [Fact]
    public async Task A_former_NRIC_is_accepted_unless_the_register_knows_the_person_by_it()
    {
        var person = NewPerson("Ho Mei Fen");
        var bundle = FhirBundles.Transaction(person, FhirBundles.Diagnosis($"dx-{Guid.NewGuid():N}"));
        ((Hl7.Fhir.Model.Patient)bundle.Entry[0].Resource!).Identifier.Add(new Identifier(FhirBundleReader.NricSystem, Fixture.NewNric('G')) { Use = Identifier.IdentifierUse.Old });
        var accepted = await feed.PostAsync(bundle);
        Assert.True(accepted.Status == HttpStatusCode.OK, accepted.ToString());
        Assert.NotNull(await feed.PersonAsync(person.Nric));

        // The register knows this person by the former number: a new record under the new one would split theirs.
        var known = NewPerson("Koh Ah Huat", Sex.Male, 1977);
        Assert.Equal(HttpStatusCode.OK, (await feed.PostAsync(FhirBundles.Transaction(known, FhirBundles.Diagnosis($"dx-{Guid.NewGuid():N}")))).Status);
        var renumbered = known with { Nric = Fixture.NewNric('S') };
        var split = FhirBundles.Transaction(renumbered, FhirBundles.Diagnosis($"dx-{Guid.NewGuid():N}"));
        ((Hl7.Fhir.Model.Patient)split.Entry[0].Resource!).Identifier.Add(new Identifier(FhirBundleReader.NricSystem, known.Nric) { Use = Identifier.IdentifierUse.Old });

        var refused = await feed.PostAsync(split);

        Assert.Equal((HttpStatusCode)422, refused.Status);
        Assert.Contains(refused.Issues, i => i.Code == "business-rule" && i.Expression == "Bundle.entry[0].resource.identifier");
        Assert.Null(await feed.PersonAsync(renumbered.Nric));
    }

    [Fact]
    public async Task A_cancelled_result_is_withdrawn_and_reads_cancelled()
    {
        var person = NewPerson("Ng Hwee Leng");
        var id = $"lab-{Guid.NewGuid():N}";
        Assert.Equal(HttpStatusCode.OK, (await feed.PostAsync(FhirBundles.Transaction(person, FhirBundles.Lab(id)))).Status);
        var cancelled = FhirBundles.Lab(id);
        cancelled.Status = ObservationStatus.Cancelled;

        Assert.Equal(HttpStatusCode.OK, (await feed.PostAsync(FhirBundles.Transaction(person, cancelled))).Status);

        var entry = Assert.IsType<LabResultEntry>(Assert.Single(await EntriesOfAsync(person)));
        Assert.Equal(("cancelled", true), (entry.Status, entry.IsWithdrawn));
    }
}

internal static class ResourceChanges
{
    /// <summary>The resource after a change, for building a variant in one expression.</summary>
    public static T Also<T>(this T resource, Action<T> change)
        where T : Resource
    {
        change(resource);
        return resource;
    }
}
