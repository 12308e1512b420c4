using System.Globalization;
using System.Net;
using System.Text;
using Hl7.Fhir.Model;
using Nehr.Core.Access;
using Nehr.Core.Contribution;

namespace Nehr.Core.Records;

/// <summary>One section of a patient's summary, as the International Patient Summary orders them.</summary>
public sealed record SummarySection(string Title, string LoincCode, IReadOnlyList<ClinicalEntry> Entries);

/// <summary>
/// A patient's record to take away, as an HL7 International Patient Summary: a FHIR R4 <c>document</c> Bundle whose
/// first entry is the Composition (LOINC 60591-5), with the IPS sections (allergies, medications and problems, which it
/// requires; immunizations, results and procedures) and the resources they list, built with the Firely SDK. Only what
/// the record says is written: a status the source did not give is <c>unknown</c> where FHIR requires one, an empty
/// section says that the NEHR has nothing, never that there is nothing. Entries withdrawn as entered in error are left out.
/// </summary>
public sealed class InternationalPatientSummary
{
    public const string LoincSystem = "http://loinc.org";

    private InternationalPatientSummary(PatientDemographics patient, IReadOnlyList<SummarySection> sections, DateTime madeAtUtc)
    {
        Patient = patient;
        Sections = sections;
        MadeAtUtc = madeAtUtc;
    }

    public PatientDemographics Patient { get; }

    public IReadOnlyList<SummarySection> Sections { get; }

    public DateTime MadeAtUtc { get; }

    /// <summary>The summary of an exported record view (<see cref="RecordGate.ExportOwnRecordAsync"/>).</summary>
    public static InternationalPatientSummary Of(RecordView view, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(view);
        var patient = view.Patient ?? throw new InvalidOperationException("The record was not disclosed: there is nothing to summarise.");
        IReadOnlyList<ClinicalEntry> Of(EntryKind kind) => view.Entries.TryGetValue(kind, out var page)
            ? page.Items.Where(e => e.WithdrawnAtUtc is null).ToList()
            : [];
        return new InternationalPatientSummary(patient,
        [
            new("Allergies and intolerances", "48765-2", Of(EntryKind.Allergy)),
            new("Medication summary", "10160-0", Of(EntryKind.Medication)),
            new("Problem list", "11450-4", Of(EntryKind.Diagnosis)),
            new("Immunizations", "11369-6", Of(EntryKind.Vaccination)),
            new("Results", "30954-2", [.. Of(EntryKind.LabResult), .. Of(EntryKind.RadiologyResult)]),
            new("History of procedures", "47519-4", Of(EntryKind.Procedure)),
        ], nowUtc);
    }

    /// <summary>The summary as a FHIR R4 document Bundle.</summary>
    public Bundle ToFhirDocument(Func<int, string?> providerName)
    {
        ArgumentNullException.ThrowIfNull(providerName);
        var bundle = new Bundle
        {
            Type = Bundle.BundleType.Document,
            Identifier = new Identifier("urn:ietf:rfc:3986", Urn()),
            Timestamp = new DateTimeOffset(MadeAtUtc, TimeSpan.Zero),
        };
        var patientUrl = Urn();
        var authorUrl = Urn();
        var composition = new Composition
        {
            Status = CompositionStatus.Final,
            Type = new CodeableConcept(LoincSystem, "60591-5", "Patient summary Document"),
            Subject = new ResourceReference(patientUrl),
            Date = Instant(MadeAtUtc),
            Author = [new ResourceReference(authorUrl)],
            Title = $"Patient summary of {Patient.Name} from the National Electronic Health Record",
        };
        bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = Urn(), Resource = composition });
        bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = patientUrl, Resource = FhirPatient() });
        bundle.Entry.Add(new Bundle.EntryComponent
        {
            FullUrl = authorUrl,
            Resource = new Organization { Name = "National Electronic Health Record (NEHR), Ministry of Health, Singapore" },
        });

        var subject = new ResourceReference(patientUrl);
        foreach (var section in Sections)
        {
            var part = new Composition.SectionComponent
            {
                Title = section.Title,
                Code = new CodeableConcept(LoincSystem, section.LoincCode, section.Title),
            };
            if (section.Entries.Count == 0)
            {
                // "unavailable", never "nilknown": that the NEHR has nothing does not say the patient has nothing.
                part.EmptyReason = new CodeableConcept("http://terminology.hl7.org/CodeSystem/list-empty-reason", "unavailable", "Unavailable");
                part.Text = Narrative("<p>The NEHR has no entries of this kind for this patient. This does not mean there are none.</p>");
            }
            else
            {
                var items = new StringBuilder("<ul>");
                foreach (var entry in section.Entries)
                {
                    var url = Urn();
                    bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = url, Resource = Resource(entry, subject) });
                    part.Entry.Add(new ResourceReference(url));
                    items.Append("<li>").Append(WebUtility.HtmlEncode(Line(entry, providerName))).Append("</li>");
                }

                part.Text = Narrative(items.Append("</ul>").ToString());
            }

            composition.Section.Add(part);
        }

        return bundle;
    }

    /// <summary>One entry in words, for the narrative and the printable page: what, when, and from where.</summary>
    public static string Line(ClinicalEntry entry, Func<int, string?> providerName)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(providerName);
        var what = entry switch
        {
            AllergyEntry a => $"{a.Substance}{(a.Reaction is null ? "" : $": {a.Reaction}")}{(a.Criticality is AllergyCriticality.High ? " (high criticality)" : a.Criticality is AllergyCriticality.Low ? " (low criticality)" : "")}",
            MedicationEntry m => $"{m.Medication}{(m.Dosage is null ? "" : $", {m.Dosage}")} ({m.Record.ToString().ToLowerInvariant()})",
            DiagnosisEntry d => $"{d.Description}{(d.ClinicalStatus is DiagnosisStatus.NotStated ? "" : $" ({d.ClinicalStatus.ToString().ToLowerInvariant()})")}",
            VaccinationEntry v => $"{v.Vaccine}{(v.DoseNumber is { } n ? $", dose {n}" : "")}",
            LabResultEntry l => $"{l.TestName}: {l.Value}{(l.Unit is null ? "" : $" {l.Unit}")}{(l.Flag is AbnormalFlag.NotStated or AbnormalFlag.Normal ? "" : $" ({l.Flag})")}",
            RadiologyResultEntry r => $"{r.Examination}{(r.Conclusion is null ? "" : $": {r.Conclusion}")}",
            ProcedureEntry p => p.Procedure,
            _ => entry.Kind.ToString(),
        };
        return $"{what} — {NehrCalendar.Date(entry.OccurredAtUtc)}, {providerName(entry.SourceProviderId) ?? "a provider"}";
    }

    private Hl7.Fhir.Model.Patient FhirPatient()
    {
        var patient = new Hl7.Fhir.Model.Patient
        {
            Identifier = [new Identifier(FhirBundleReader.NricSystem, Patient.Nric)],
            Name = [new HumanName { Use = HumanName.NameUse.Official, Text = Patient.Name }],
            Gender = Patient.Sex switch
            {
                Sex.Female => AdministrativeGender.Female,
                Sex.Male => AdministrativeGender.Male,
                Sex.Other => AdministrativeGender.Other,
                _ => AdministrativeGender.Unknown,
            },
            BirthDate = Patient.DateOfBirth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
        if (Patient.IsDeceased)
        {
            patient.Deceased = Patient.DateOfDeath is { } died ? new FhirDateTime(died.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)) : new FhirBoolean(true);
        }

        return patient;
    }

    private static Resource Resource(ClinicalEntry entry, ResourceReference subject) => entry switch
    {
        AllergyEntry a => Allergy(a, subject),
        MedicationEntry m => new MedicationStatement
        {
            // FHIR requires a status: the source's when it gave a MedicationStatement one, else unknown (the NEHR
            // holds prescriptions and dispenses too, which do not say whether the patient still takes the medicine).
            Status = Parse<MedicationStatement.MedicationStatusCodes>(m.Record == MedicationStatus.Recorded ? m.Status : null) ?? MedicationStatement.MedicationStatusCodes.Unknown,
            Medication = new CodeableConcept { Text = m.Medication },
            Subject = subject,
            Effective = DateTime(m.OccurredAtUtc),
            Dosage = m.Dosage is null ? [] : [new Dosage { Text = m.Dosage }],
            Note = [new Annotation { Text = new Markdown($"{m.Record} on {NehrCalendar.Date(m.OccurredAtUtc)} (as recorded in the NEHR).") }],
        },
        DiagnosisEntry d => new Condition
        {
            Code = new CodeableConcept { Text = d.Description },
            Subject = subject,
            RecordedDate = Instant(d.OccurredAtUtc),
            ClinicalStatus = d.ClinicalStatus is DiagnosisStatus.NotStated ? null
                : new CodeableConcept("http://terminology.hl7.org/CodeSystem/condition-clinical", d.ClinicalStatus.ToString().ToLowerInvariant()),
        },
        VaccinationEntry v => new Immunization
        {
            // The NEHR keeps only vaccinations given (not-done and entered-in-error are refused or withdrawn).
            Status = Immunization.ImmunizationStatusCodes.Completed,
            VaccineCode = new CodeableConcept { Text = v.Vaccine },
            Patient = subject,
            Occurrence = DateTime(v.OccurredAtUtc),
            ProtocolApplied = v.DoseNumber is { } dose ? [new Immunization.ProtocolAppliedComponent { DoseNumber = new PositiveInt(dose) }] : [],
        },
        LabResultEntry l => Lab(l, subject),
        RadiologyResultEntry r => new Observation
        {
            Status = Parse<ObservationStatus>(r.Status) ?? ObservationStatus.Unknown,
            Category = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/observation-category", "imaging")],
            Code = new CodeableConcept { Text = r.Examination },
            Subject = subject,
            Effective = DateTime(r.OccurredAtUtc),
            Value = r.Conclusion is null ? null : new FhirString(r.Conclusion),
        },
        ProcedureEntry p => new Procedure
        {
            Status = Parse<EventStatus>(p.Status) ?? EventStatus.Unknown,
            Code = new CodeableConcept { Text = p.Procedure },
            Subject = subject,
            Performed = p.EndedAtUtc is { } end ? new Period(DateTime(p.OccurredAtUtc), DateTime(end)) : DateTime(p.OccurredAtUtc),
            BodySite = p.BodySite is null ? [] : [new CodeableConcept { Text = p.BodySite }],
            ReasonCode = p.Reason is null ? [] : [new CodeableConcept { Text = p.Reason }],
            Outcome = p.Outcome is null ? null : new CodeableConcept { Text = p.Outcome },
        },
        _ => throw new ArgumentOutOfRangeException(nameof(entry), entry.Kind, "This kind of entry is not part of the summary."),
    };

    private static AllergyIntolerance Allergy(AllergyEntry a, ResourceReference subject)
    {
        var allergy = new AllergyIntolerance
        {
            Code = new CodeableConcept { Text = a.Substance },
            Patient = subject,
            RecordedDate = Instant(a.OccurredAtUtc),
            Criticality = a.Criticality switch
            {
                AllergyCriticality.Low => AllergyIntolerance.AllergyIntoleranceCriticality.Low,
                AllergyCriticality.High => AllergyIntolerance.AllergyIntoleranceCriticality.High,
                AllergyCriticality.UnableToAssess => AllergyIntolerance.AllergyIntoleranceCriticality.UnableToAssess,
                _ => null,
            },
            Reaction = a.Reaction is null ? [] : [new AllergyIntolerance.ReactionComponent { Manifestation = [new CodeableConcept { Text = a.Reaction }] }],
        };
        if (a.Category switch
        {
            AllergyCategory.Medication => AllergyIntolerance.AllergyIntoleranceCategory.Medication,
            AllergyCategory.Food => AllergyIntolerance.AllergyIntoleranceCategory.Food,
            AllergyCategory.Environment => AllergyIntolerance.AllergyIntoleranceCategory.Environment,
            AllergyCategory.Biologic => AllergyIntolerance.AllergyIntoleranceCategory.Biologic,
            _ => (AllergyIntolerance.AllergyIntoleranceCategory?)null,
        } is { } category)
        {
            allergy.Category = [category];
        }

        if (a.Status is "active" or "inactive" or "resolved")
        {
            allergy.ClinicalStatus = new CodeableConcept("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", a.Status);
        }

        if (a.Verification?.ToLowerInvariant() is "confirmed" or "unconfirmed" or "refuted")
        {
            allergy.VerificationStatus = new CodeableConcept("http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", a.Verification.ToLowerInvariant());
        }

        return allergy;
    }

    private static Observation Lab(LabResultEntry l, ResourceReference subject)
    {
        var observation = new Observation
        {
            Status = Parse<ObservationStatus>(l.Status) ?? ObservationStatus.Unknown,
            Category = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/observation-category", "laboratory")],
            Code = new CodeableConcept { Text = l.TestName },
            Subject = subject,
            Effective = DateTime(l.OccurredAtUtc),
            Value = decimal.TryParse(l.Value, NumberStyles.Number, CultureInfo.InvariantCulture, out var number)
                ? new Quantity { Value = number, Unit = l.Unit }
                : new FhirString(l.Value),
        };
        if (l.ReferenceLow is not null || l.ReferenceHigh is not null || l.ReferenceText is not null)
        {
            observation.ReferenceRange.Add(new Observation.ReferenceRangeComponent
            {
                Low = l.ReferenceLow is { } low ? new Quantity { Value = low, Unit = l.Unit } : null,
                High = l.ReferenceHigh is { } high ? new Quantity { Value = high, Unit = l.Unit } : null,
                Text = l.ReferenceText,
            });
        }

        if (l.Flag switch
        {
            AbnormalFlag.Normal => "N",
            AbnormalFlag.Low => "L",
            AbnormalFlag.High => "H",
            AbnormalFlag.CriticalLow => "LL",
            AbnormalFlag.CriticalHigh => "HH",
            AbnormalFlag.Abnormal => "A",
            _ => null,
        } is { } flag)
        {
            observation.Interpretation.Add(new CodeableConcept("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", flag));
        }

        return observation;
    }

    private static T? Parse<T>(string? literal)
        where T : struct, Enum =>
        literal is not null && Hl7.Fhir.Utility.EnumUtility.ParseLiteral<T>(literal) is { } value ? value : null;

    private static FhirDateTime DateTime(DateTime utc) => new(new DateTimeOffset(utc, TimeSpan.Zero));

    private static string Instant(DateTime utc) => new DateTimeOffset(utc, TimeSpan.Zero).ToString("yyyy-MM-ddTHH:mm:ssK", CultureInfo.InvariantCulture);

    private static Narrative Narrative(string xhtml) => new()
    {
        Status = Hl7.Fhir.Model.Narrative.NarrativeStatus.Generated,
        Div = $"<div xmlns=\"http://www.w3.org/1999/xhtml\">{xhtml}</div>",
    };

    private static string Urn() => $"urn:uuid:{Guid.NewGuid()}";
}
