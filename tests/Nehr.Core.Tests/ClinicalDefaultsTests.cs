using System.Text;
using System.Text.Json.Nodes;
using Nehr.Core.Contribution;
using Nehr.Core.Records;

namespace Nehr.Core.Tests;

/// <summary>
/// No clinical default says what the source did not: for every element the reader maps, a resource without it gives
/// an entry where it is absent ("not stated"), and the same resource with it gives the value. Each row is one field.
/// </summary>
public sealed class ClinicalDefaultsTests
{
    private static readonly DateTime Now = new(2026, 11, 26, 6, 0, 0, DateTimeKind.Utc);
    private const string PatientUrl = "urn:uuid:11111111-1111-4111-8111-111111111111";

    private static readonly Dictionary<string, string> Minimal = new()
    {
        ["AllergyIntolerance"] = """{"resourceType":"AllergyIntolerance","identifier":[{"system":"urn:t","value":"a"}],"patient":{"reference":"PATIENT"},"code":{"text":"Penicillin"},"recordedDate":"2025-01-01"}""",
        ["Immunization"] = """{"resourceType":"Immunization","identifier":[{"system":"urn:t","value":"i"}],"status":"completed","patient":{"reference":"PATIENT"},"vaccineCode":{"text":"Influenza"},"occurrenceDateTime":"2025-01-01"}""",
        ["MedicationRequest"] = """{"resourceType":"MedicationRequest","identifier":[{"system":"urn:t","value":"m"}],"status":"active","intent":"order","subject":{"reference":"PATIENT"},"medicationCodeableConcept":{"text":"Metformin"},"authoredOn":"2025-01-01"}""",
        ["Observation"] = """{"resourceType":"Observation","identifier":[{"system":"urn:t","value":"o"}],"status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],"code":{"text":"Glucose"},"subject":{"reference":"PATIENT"},"effectiveDateTime":"2025-01-01","valueQuantity":{"value":5.4}}""",
        ["Condition"] = """{"resourceType":"Condition","identifier":[{"system":"urn:t","value":"c"}],"subject":{"reference":"PATIENT"},"code":{"text":"Asthma"},"recordedDate":"2025-01-01"}""",
        ["Procedure"] = """{"resourceType":"Procedure","identifier":[{"system":"urn:t","value":"p"}],"status":"completed","subject":{"reference":"PATIENT"},"code":{"text":"Colonoscopy"},"performedDateTime":"2025-01-01"}""",
        ["Encounter"] = """{"resourceType":"Encounter","identifier":[{"system":"urn:t","value":"e"}],"status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},"subject":{"reference":"PATIENT"},"period":{"start":"2025-01-01T09:00:00Z"}}""",
        ["DiagnosticReport"] = """{"resourceType":"DiagnosticReport","identifier":[{"system":"urn:t","value":"r"}],"status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0074","code":"RAD"}]}],"code":{"text":"XR Chest"},"subject":{"reference":"PATIENT"},"effectiveDateTime":"2025-01-01","conclusion":"Clear"}""",
    };

    /// <summary>One field: the resource type, the element added (a JSON object merged in), and how to read the field from the entry.</summary>
    public static TheoryData<string, string, string, Func<ClinicalEntry, object?>, object?, object?> Fields() => new()
    {
        { "allergy category", "AllergyIntolerance", """{"category":["food"]}""", e => ((AllergyEntry)e).Category, AllergyCategory.NotStated, AllergyCategory.Food },
        { "allergy criticality", "AllergyIntolerance", """{"criticality":"high"}""", e => ((AllergyEntry)e).Criticality, AllergyCriticality.NotStated, AllergyCriticality.High },
        { "allergy reaction", "AllergyIntolerance", """{"reaction":[{"manifestation":[{"text":"Hives"}]}]}""", e => ((AllergyEntry)e).Reaction, null, "Hives" },
        { "allergy clinical status", "AllergyIntolerance", """{"clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical","code":"active"}]}}""", e => e.Status, null, "active" },
        { "allergy verification", "AllergyIntolerance", """{"verificationStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/allergyintolerance-verification","code":"confirmed"}]}}""", e => ((AllergyEntry)e).Verification, null, "confirmed" },
        { "vaccination dose", "Immunization", """{"protocolApplied":[{"doseNumberPositiveInt":2}]}""", e => ((VaccinationEntry)e).DoseNumber, null, 2 },
        { "medication dosage", "MedicationRequest", """{"dosageInstruction":[{"text":"Twice a day"}]}""", e => ((MedicationEntry)e).Dosage, null, "Twice a day" },
        { "lab interpretation", "Observation", """{"interpretation":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation","code":"N"}]}]}""", e => ((LabResultEntry)e).Flag, AbnormalFlag.NotStated, AbnormalFlag.Normal },
        { "lab interpretation words", "Observation", """{"interpretation":[{"text":"Detected"}]}""", e => ((LabResultEntry)e).Interpretation, null, "Detected" },
        { "lab unit", "Observation", """{"valueQuantity":{"value":5.4,"unit":"mmol/L"}}""", e => ((LabResultEntry)e).Unit, null, "mmol/L" },
        { "lab reference low", "Observation", """{"referenceRange":[{"low":{"value":3.9}}]}""", e => ((LabResultEntry)e).ReferenceLow, null, 3.9m },
        { "lab reference text", "Observation", """{"referenceRange":[{"text":"3.9 to 6.1"}]}""", e => ((LabResultEntry)e).ReferenceText, null, "3.9 to 6.1" },
        { "lab test code", "Observation", """{"code":{"text":"Glucose","coding":[{"system":"http://loinc.org","code":"2345-7"}]}}""", e => ((LabResultEntry)e).TestCode, null, "2345-7" },
        { "diagnosis clinical status", "Condition", """{"clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"resolved"}]}}""", e => ((DiagnosisEntry)e).ClinicalStatus, DiagnosisStatus.NotStated, DiagnosisStatus.Resolved },
        { "diagnosis verification", "Condition", """{"verificationStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-ver-status","code":"provisional"}]}}""", e => ((DiagnosisEntry)e).Verification, null, "provisional" },
        { "diagnosis code", "Condition", """{"code":{"text":"Asthma","coding":[{"system":"http://hl7.org/fhir/sid/icd-10","code":"J45.909"}]}}""", e => ((DiagnosisEntry)e).Code, null, "J45.909" },
        { "procedure end", "Procedure", """{"performedDateTime":null,"performedPeriod":{"start":"2025-01-01T09:00:00Z","end":"2025-01-01T10:00:00Z"}}""", e => ((ProcedureEntry)e).EndedAtUtc, null, new DateTime(2025, 1, 1, 10, 0, 0, DateTimeKind.Utc) },
        { "procedure body site", "Procedure", """{"bodySite":[{"text":"Colon"}]}""", e => ((ProcedureEntry)e).BodySite, null, "Colon" },
        { "procedure reason", "Procedure", """{"reasonCode":[{"text":"Screening"}]}""", e => ((ProcedureEntry)e).Reason, null, "Screening" },
        { "procedure outcome", "Procedure", """{"outcome":{"text":"Successful"}}""", e => ((ProcedureEntry)e).Outcome, null, "Successful" },
        { "visit end", "Encounter", """{"period":{"start":"2025-01-01T09:00:00Z","end":"2025-01-01T09:30:00Z"}}""", e => ((VisitEntry)e).EndedAtUtc, null, new DateTime(2025, 1, 1, 9, 30, 0, DateTimeKind.Utc) },
        { "visit reason", "Encounter", """{"reasonCode":[{"text":"Fever"}]}""", e => ((VisitEntry)e).Reason, null, "Fever" },
        { "visit serving organisation", "Encounter", """{"serviceProvider":{"display":"CGH"}}""", e => ((VisitEntry)e).ServedBy, null, "CGH" },
        { "visit discharge", "Encounter", """{"hospitalization":{"dischargeDisposition":{"text":"Home"}}}""", e => ((VisitEntry)e).DischargeDisposition, null, "Home" },
        { "radiology report", "DiagnosticReport", """{"presentedForm":[{"contentType":"text/plain","data":"UmVwb3J0"}]}""", e => ((RadiologyResultEntry)e).Report, null, "Report" },
        { "radiology status", "DiagnosticReport", """{}""", e => e.Status, "final", "final" },
    };

    [Theory]
    [MemberData(nameof(Fields))]
    public void An_element_the_source_left_out_stays_absent(string field, string type, string element, Func<ClinicalEntry, object?> read, object? absent, object? present)
    {
        var without = Entry(Minimal[type]);
        var with = Entry(Merge(Minimal[type], element));

        Assert.True(Equals(absent, read(without)), $"{field}: without the element it reads {read(without) ?? "null"}, not {absent ?? "null"}");
        Assert.True(Equals(present, read(with)), $"{field}: with the element it reads {read(with) ?? "null"}, not {present}");
    }

    [Fact]
    public void An_observation_without_a_category_is_not_kept_rather_than_filed_as_a_laboratory_result()
    {
        var observation = JsonNode.Parse(Minimal["Observation"])!.AsObject();
        observation.Remove("category");

        var entry = Read(observation.ToJsonString()).Entries[1];

        Assert.Equal(EntryRole.NotKept, entry.Role);
        Assert.Null(entry.Draft);
    }

    private static ClinicalEntry Entry(string resource)
    {
        var read = Read(resource);
        Assert.Empty(read.Issues);
        var entry = read.Entries[1];
        Assert.True(entry.Role == EntryRole.Clinical, string.Join("; ", entry.Issues.Select(i => $"{i.Location}: {i.Message}")));
        return entry.Draft!.Entry!;
    }

    private static BundleContent Read(string resource)
    {
        var patient = new JsonObject
        {
            ["resourceType"] = "Patient",
            ["identifier"] = new JsonArray(new JsonObject { ["system"] = FhirBundleReader.NricSystem, ["value"] = "S1234567D" }),
            ["name"] = new JsonArray(new JsonObject { ["text"] = "Tan Mei Ling" }),
            ["birthDate"] = "1951-03-02",
            ["gender"] = "female",
        };
        var bundle = new JsonObject
        {
            ["resourceType"] = "Bundle",
            ["type"] = "transaction",
            ["entry"] = new JsonArray(
                new JsonObject { ["fullUrl"] = PatientUrl, ["resource"] = patient, ["request"] = new JsonObject { ["method"] = "PUT", ["url"] = "Patient" } },
                new JsonObject
                {
                    ["fullUrl"] = "urn:uuid:22222222-2222-4222-8222-222222222222",
                    ["resource"] = JsonNode.Parse(resource.Replace("PATIENT", PatientUrl, StringComparison.Ordinal)),
                    ["request"] = new JsonObject { ["method"] = "POST", ["url"] = "X" },
                }),
        }.ToJsonString();
        return FhirBundleReader.Read(Encoding.UTF8.GetBytes(bundle), SystemKind.ProviderFeed, Now);
    }

    private static string Merge(string resource, string element)
    {
        var target = JsonNode.Parse(resource)!.AsObject();
        foreach (var (name, value) in JsonNode.Parse(element)!.AsObject().ToList())
        {
            // null removes the element (a choice replaced by another of its types).
            if (value is null)
            {
                target.Remove(name);
            }
            else
            {
                target[name] = value.DeepClone();
            }
        }

        return target.ToJsonString();
    }
}
