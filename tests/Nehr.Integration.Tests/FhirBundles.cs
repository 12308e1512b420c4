using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Nehr.Core.Contribution;

namespace Nehr.Integration.Tests;

/// <summary>A person as a provider's system sends them: the NRIC/FIN and the demographics the identity cross-check compares.</summary>
public sealed record FhirPerson(string Nric, string Name, DateOnly BirthDate, Nehr.Core.Records.Sex Sex)
{
    public static FhirPerson Of(Nehr.Core.Records.Patient patient) => new(patient.Nric.Value, patient.Name, patient.DateOfBirth, patient.Sex);

    public static async Task<FhirPerson> LoadAsync(PortalFactory portal, int patientId)
    {
        await using var db = portal.CreateDbContext();
        return Of(await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.Patients, p => p.Id == patientId));
    }

    public string Gender => Sex switch
    {
        Nehr.Core.Records.Sex.Female => "female",
        Nehr.Core.Records.Sex.Male => "male",
        Nehr.Core.Records.Sex.Other => "other",
        _ => "unknown",
    };

    public Patient ToFhir() => new()
    {
        Identifier = [new Identifier(FhirBundleReader.NricSystem, Nric)],
        Name = [new HumanName { Use = HumanName.NameUse.Official, Text = Name }],
        BirthDate = BirthDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        Gender = Sex switch
        {
            Nehr.Core.Records.Sex.Female => AdministrativeGender.Female,
            Nehr.Core.Records.Sex.Male => AdministrativeGender.Male,
            Nehr.Core.Records.Sex.Other => AdministrativeGender.Other,
            _ => AdministrativeGender.Unknown,
        },
    };
}

/// <summary>Builds contribution bundles with the Firely SDK's own model, so that what is posted is real FHIR R4.</summary>
internal static class FhirBundles
{
    private static readonly FhirJsonSerializer Serializer = new();

    public static string Json(Resource resource) => Serializer.SerializeToString(resource);

    /// <summary>The population register's transaction: each Patient put by its NRIC/FIN.</summary>
    public static Bundle RegisterTransaction(params Patient[] patients)
    {
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        foreach (var patient in patients)
        {
            bundle.Entry.Add(new Bundle.EntryComponent
            {
                FullUrl = $"urn:uuid:{Guid.NewGuid()}",
                Resource = patient,
                Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.PUT, Url = $"Patient?identifier={FhirBundleReader.NricSystem}|{patient.Identifier[0].Value}" },
            });
        }

        return bundle;
    }

    public static Bundle Transaction(FhirPerson person, params Resource[] resources)
    {
        ArgumentNullException.ThrowIfNull(person);
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        const string patientUrl = "urn:uuid:7d1c3b7e-0000-4000-8000-000000000001";
        bundle.Entry.Add(new Bundle.EntryComponent
        {
            FullUrl = patientUrl,
            Resource = person.ToFhir(),
            Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.PUT, Url = $"Patient?identifier={FhirBundleReader.NricSystem}|{person.Nric}" },
        });
        var subject = new ResourceReference(patientUrl);
        foreach (var resource in resources)
        {
            switch (resource)
            {
                case AllergyIntolerance a: a.Patient = subject; break;
                case Immunization i: i.Patient = subject; break;
                case MedicationRequest m: m.Subject = subject; break;
                case MedicationStatement m: m.Subject = subject; break;
                case MedicationDispense m: m.Subject = subject; break;
                case Observation o: o.Subject = subject; break;
                case DiagnosticReport r: r.Subject = subject; break;
                case Condition c: c.Subject = subject; break;
                case Encounter e: e.Subject = subject; break;
                case Composition c: c.Subject = subject; break;
                case DocumentReference d: d.Subject = subject; break;
                case Procedure p: p.Subject = subject; break;
            }

            bundle.Entry.Add(new Bundle.EntryComponent
            {
                FullUrl = $"urn:uuid:{Guid.NewGuid()}",
                Resource = resource,
                Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = resource.TypeName },
            });
        }

        return bundle;
    }

    private static List<Identifier> Id(string value) => [new Identifier("urn:cgh:emr", value)];

    public static AllergyIntolerance Allergy(string id, string substance = "Penicillin") => new()
    {
        Identifier = Id(id),
        Code = new CodeableConcept { Text = substance },
        Category = [AllergyIntolerance.AllergyIntoleranceCategory.Medication],
        Criticality = AllergyIntolerance.AllergyIntoleranceCriticality.High,
        RecordedDate = "2025-03-01",
        Reaction = [new AllergyIntolerance.ReactionComponent { Manifestation = [new CodeableConcept { Text = "Hives" }] }],
    };

    public static Immunization Vaccination(string id) => new()
    {
        Identifier = Id(id),
        Status = Immunization.ImmunizationStatusCodes.Completed,
        VaccineCode = new CodeableConcept { Text = "Influenza vaccine" },
        Occurrence = new FhirDateTime("2025-10-01"),
        ProtocolApplied = [new Immunization.ProtocolAppliedComponent { DoseNumber = new PositiveInt(1) }],
    };

    public static MedicationRequest Prescription(string id) => new()
    {
        Identifier = Id(id),
        Status = MedicationRequest.MedicationrequestStatus.Active,
        Intent = MedicationRequest.MedicationRequestIntent.Order,
        Medication = new CodeableConcept { Text = "Metformin 500 mg tablet" },
        AuthoredOn = "2025-06-01",
        DosageInstruction = [new Dosage { Text = "1 tablet twice a day" }],
    };

    public static MedicationStatement MedicationTaken(string id) => new()
    {
        Identifier = Id(id),
        Status = MedicationStatement.MedicationStatusCodes.Active,
        Medication = new CodeableConcept { Text = "Aspirin 100 mg" },
        Effective = new FhirDateTime("2025-06-02"),
    };

    public static MedicationDispense Dispense(string id) => new()
    {
        Identifier = Id(id),
        Status = MedicationDispense.MedicationDispenseStatusCodes.Completed,
        Medication = new CodeableConcept { Text = "Metformin 500 mg tablet" },
        WhenHandedOver = "2025-06-03",
    };

    public static Observation Lab(string id, decimal value = 7.2m, string category = "laboratory") => new()
    {
        Identifier = Id(id),
        Status = ObservationStatus.Final,
        Category = [new CodeableConcept(FhirBundleReader.ObservationCategorySystem, category)],
        Code = new CodeableConcept("http://loinc.org", "4548-4", "HbA1c", "HbA1c"),
        Value = new Quantity(value, "%"),
        Effective = new FhirDateTime("2025-06-04"),
        ReferenceRange = [new Observation.ReferenceRangeComponent { Low = new Quantity(4.0m, "%"), High = new Quantity(6.0m, "%") }],
        Interpretation = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "H")],
    };

    public static DiagnosticReport Report(string id) => new()
    {
        Identifier = Id(id),
        Status = DiagnosticReport.DiagnosticReportStatus.Final,
        Category = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/v2-0074", "LAB", "Laboratory")],
        Code = new CodeableConcept { Text = "Lipid panel" },
        Conclusion = "Raised LDL cholesterol.",
        Effective = new FhirDateTime("2025-06-05"),
    };

    public static DiagnosticReport RadiologyReport(string id) => new()
    {
        Identifier = Id(id),
        Status = DiagnosticReport.DiagnosticReportStatus.Final,
        Category = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/v2-0074", "RAD", "Radiology")],
        Code = new CodeableConcept("http://loinc.org", "36643-5", "XR Chest 2 Views", "XR Chest 2 Views"),
        Conclusion = "No focal consolidation. Heart size normal.",
        PresentedForm = [new Attachment { ContentType = "text/plain", Data = "CHEST X-RAY, PA and lateral. Lungs clear. Heart size normal. Impression: no acute disease."u8.ToArray() }],
        Effective = new FhirDateTime("2025-06-05T10:15:00+08:00"),
    };

    public static Condition Diagnosis(string id, string? text = "Type 2 diabetes mellitus") => new()
    {
        Identifier = Id(id),
        Code = text is null ? null : new CodeableConcept { Text = text },
        ClinicalStatus = new CodeableConcept("http://terminology.hl7.org/CodeSystem/condition-clinical", "active"),
        RecordedDate = "2025-06-06",
    };

    public static Procedure Procedure(string id) => new()
    {
        Identifier = Id(id),
        Status = EventStatus.Completed,
        Code = new CodeableConcept("http://snomed.info/sct", "73761001", "Colonoscopy", "Colonoscopy"),
        Performed = new Period { Start = "2025-06-10T09:00:00+08:00", End = "2025-06-10T09:40:00+08:00" },
        BodySite = [new CodeableConcept { Text = "Colon" }],
        Outcome = new CodeableConcept { Text = "Two polyps removed" },
    };

    public static Encounter Visit(string id) => new()
    {
        Identifier = Id(id),
        Status = Encounter.EncounterStatus.Finished,
        Class = new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB"),
        Type = [new CodeableConcept { Text = "Diabetes clinic visit" }],
        Period = new Period { Start = "2025-06-07T09:00:00Z", End = "2025-06-07T09:30:00Z" },
        ReasonCode = [new CodeableConcept { Text = "Diabetes review" }],
    };

    public static Composition DischargeSummary(string id) => new()
    {
        Identifier = new Identifier("urn:cgh:emr", id),
        Status = CompositionStatus.Final,
        Type = new CodeableConcept("http://loinc.org", "18842-5", "Discharge summary"),
        Date = "2025-06-08",
        Title = "Discharge summary",
        Author = [new ResourceReference { Display = "Dr Lee Wei Jie" }],
        Section = [new Composition.SectionComponent { Title = "Course", Text = new Narrative { Status = Narrative.NarrativeStatus.Generated, Div = "<div xmlns=\"http://www.w3.org/1999/xhtml\">Admitted for chest pain; discharged well.</div>" } }],
    };

    public static DocumentReference Letter(string id) => new()
    {
        Identifier = Id(id),
        Status = DocumentReferenceStatus.Current,
        Type = new CodeableConcept { Text = "Referral letter" },
        Date = new DateTimeOffset(2025, 6, 9, 0, 0, 0, TimeSpan.Zero),
        Content = [new DocumentReference.ContentComponent { Attachment = new Attachment { ContentType = "text/plain", Data = "Referred to cardiology."u8.ToArray(), Title = "Referral letter" } }],
    };
}
