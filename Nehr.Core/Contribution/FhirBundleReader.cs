using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Nehr.Core.Records;
using FhirResource = Hl7.Fhir.Model.Resource;
using Patient = Hl7.Fhir.Model.Patient;

namespace Nehr.Core.Contribution;

/// <summary>One clinical entry read from a bundle, waiting for its patient to be resolved.</summary>
public sealed record EntryDraft(int EntryIndex, string ResourceType, Nric Patient, EntryKind Kind, string SourceIdentifier, DateTime OccurredAtUtc,
    Func<EntrySource, ClinicalEntry> Create);

/// <summary>What a bundle holds for the NEHR: the patients it names and the entries, or the problems found.</summary>
public sealed record BundleContent(string BundleType, IReadOnlyList<EntryDraft> Entries, IReadOnlyDictionary<int, Nric> Patients, IReadOnlyList<ContributionIssue> Issues);

/// <summary>
/// Reads a FHIR R4 Bundle (JSON, parsed by the Firely SDK) into NEHR entries. Patients are matched by their NRIC/FIN
/// identifier (<see cref="NricSystem"/>); other resources reference them by the patient entry's fullUrl (urn:uuid)
/// or by that identifier. References to resources the NEHR does not keep (practitioners, organisations) are not
/// followed. Every problem is reported with its place in the bundle; nothing is partly read.
/// </summary>
public static partial class FhirBundleReader
{
    /// <summary>The identifier system of a Singapore NRIC/FIN in NEHR contributions.</summary>
    public const string NricSystem = "http://nehr.moh.gov.sg/fhir/sid/nric";

    public const string ObservationCategorySystem = "http://terminology.hl7.org/CodeSystem/observation-category";

    public const int MaxEntries = 1000;

    public static readonly IReadOnlyList<string> SupportedTypes =
    [
        "Patient", "AllergyIntolerance", "Immunization", "MedicationRequest", "MedicationStatement", "MedicationDispense",
        "Observation", "DiagnosticReport", "Condition", "Encounter", "Composition", "DocumentReference",
    ];

    private static readonly FhirJsonDeserializer Deserializer = new(new DeserializerSettings().UsingMode(DeserializationMode.Recoverable));

    public static BundleContent Read(string json, DateTime nowUtc)
    {
        var issues = new List<ContributionIssue>();
        Bundle? bundle = null;
        try
        {
            var resource = Deserializer.DeserializeResource(json);
            bundle = resource as Bundle;
            if (bundle is null)
            {
                issues.Add(new(IssueKind.Malformed, resource.TypeName, $"Post a Bundle, not a {resource.TypeName}."));
            }
        }
        catch (DeserializationFailedException e)
        {
            bundle = e.PartialResult as Bundle;
            foreach (var problem in e.Exceptions.Take(20))
            {
                var kind = problem.Message.Contains("Unknown type", StringComparison.OrdinalIgnoreCase) ? IssueKind.NotSupported : IssueKind.Malformed;
                issues.Add(new(kind, LocationOf(problem), problem.Message));
            }
        }
        catch (JsonException e)
        {
            issues.Add(new(IssueKind.Malformed, "Bundle", $"The body is not valid JSON: {e.Message}"));
        }
        catch (FormatException e)
        {
            issues.Add(new(IssueKind.Malformed, "Bundle", $"The body is not a FHIR resource: {e.Message}"));
        }

        if (bundle is null || issues.Count > 0)
        {
            if (issues.Count == 0)
            {
                issues.Add(new(IssueKind.Malformed, "Bundle", "The body is not a FHIR Bundle."));
            }

            return new BundleContent(string.Empty, [], new Dictionary<int, Nric>(), issues);
        }

        if (bundle.Type is not (Bundle.BundleType.Transaction or Bundle.BundleType.Batch))
        {
            issues.Add(new(IssueKind.Malformed, "Bundle.type", "A contribution is a Bundle of type transaction or batch."));
        }

        if (bundle.Entry.Count > MaxEntries)
        {
            issues.Add(new(IssueKind.TooLarge, "Bundle.entry", $"A bundle has at most {MaxEntries} entries; this one has {bundle.Entry.Count}. Split it."));
        }

        if (bundle.Entry.Count == 0)
        {
            issues.Add(new(IssueKind.Invalid, "Bundle.entry", "The bundle has no entries."));
        }

        if (issues.Count > 0)
        {
            return new BundleContent(string.Empty, [], new Dictionary<int, Nric>(), issues);
        }

        // First the patients, so that any entry can reference any of them by fullUrl.
        var patients = new Dictionary<int, Nric>();
        var byFullUrl = new Dictionary<string, Nric>(StringComparer.Ordinal);
        for (var i = 0; i < bundle.Entry.Count; i++)
        {
            if (bundle.Entry[i].Resource is Patient patient)
            {
                var at = $"Bundle.entry[{i}].resource";
                if (ReadNric(patient.Identifier, at + ".identifier", issues) is { } nric)
                {
                    patients[i] = nric;
                    if (bundle.Entry[i].FullUrl is { Length: > 0 } url)
                    {
                        byFullUrl[url] = nric;
                    }
                }
            }
        }

        var drafts = new List<EntryDraft>();
        for (var i = 0; i < bundle.Entry.Count; i++)
        {
            var at = $"Bundle.entry[{i}].resource";
            var resource = bundle.Entry[i].Resource;
            if (resource is null)
            {
                issues.Add(new(IssueKind.Invalid, at, "The entry has no resource."));
                continue;
            }

            if (resource is Patient)
            {
                continue;
            }

            if (!SupportedTypes.Contains(resource.TypeName))
            {
                issues.Add(new(IssueKind.NotSupported, at, $"{resource.TypeName} is not a resource type the NEHR takes. Supported: {string.Join(", ", SupportedTypes)}."));
                continue;
            }

            var reader = new EntryReader(i, at, resource, byFullUrl, issues, nowUtc);
            if (reader.Read() is { } draft)
            {
                drafts.Add(draft);
            }
        }

        var duplicates = drafts.GroupBy(d => (d.Kind, d.SourceIdentifier)).Where(g => g.Count() > 1).ToList();
        foreach (var duplicate in duplicates)
        {
            issues.Add(new(IssueKind.Invalid, $"Bundle.entry[{duplicate.Skip(1).First().EntryIndex}].resource",
                $"The source identifier {duplicate.Key.SourceIdentifier} appears more than once in the bundle."));
        }

        return new BundleContent(bundle.Type.ToString()!, drafts, patients, issues);
    }

    private static Nric? ReadNric(List<Identifier> identifiers, string at, List<ContributionIssue> issues)
    {
        var identifier = identifiers.FirstOrDefault(x => x.System == NricSystem);
        if (identifier is null)
        {
            issues.Add(new(IssueKind.Invalid, at, $"The patient needs an identifier with system {NricSystem} (the NRIC/FIN)."));
            return null;
        }

        if (!Nric.TryParse(identifier.Value, out var nric, out var error))
        {
            issues.Add(new(IssueKind.Invalid, at, $"Invalid NRIC/FIN: {error}"));
            return null;
        }

        return nric;
    }

    private static string LocationOf(Hl7.Fhir.Utility.CodedException problem)
    {
        var match = LocationPattern().Match(problem.Message);
        return match.Success ? match.Groups[1].Value : "Bundle";
    }

    [GeneratedRegex(@"at (Bundle[^\s,]*)")]
    private static partial Regex LocationPattern();

    /// <summary>Reads one resource into an entry draft, reporting each problem with its place.</summary>
    private sealed class EntryReader(int index, string at, FhirResource resource, Dictionary<string, Nric> byFullUrl, List<ContributionIssue> issues, DateTime nowUtc)
    {
        private int _problems;

        public EntryDraft? Read()
        {
            var draft = resource switch
            {
                AllergyIntolerance a => Allergy(a),
                Immunization i => Vaccination(i),
                MedicationRequest m => Medication(m.Subject, m.Medication, m.AuthoredOn, "authoredOn", m.DosageInstruction.FirstOrDefault()?.Text, MedicationStatus.Prescribed, m.Identifier),
                MedicationStatement m => Medication(m.Subject, m.Medication, DateOf(m.Effective) ?? m.DateAsserted, "effective[x]", m.Dosage.FirstOrDefault()?.Text, MedicationStatus.Recorded, m.Identifier),
                MedicationDispense m => Medication(m.Subject, m.Medication, m.WhenHandedOver ?? m.WhenPrepared, "whenHandedOver", m.DosageInstruction.FirstOrDefault()?.Text, MedicationStatus.Dispensed, m.Identifier),
                Observation o => Lab(o),
                DiagnosticReport r => Report(r),
                Condition c => Diagnosis(c),
                Encounter e => EncounterSummary(e),
                Composition c => CompositionSummary(c),
                DocumentReference d => DocumentSummary(d),
                _ => null,
            };
            return _problems == 0 ? draft : null;
        }

        private EntryDraft? Allergy(AllergyIntolerance a)
        {
            var nric = Subject(a.Patient, "patient");
            var substance = Text(a.Code, "code");
            var when = Date(DateOf(a.Onset) ?? a.RecordedDate, "onset[x] or recordedDate");
            var id = SourceId(a.Identifier);
            var category = a.Category?.FirstOrDefault() switch
            {
                AllergyIntolerance.AllergyIntoleranceCategory.Food => AllergyCategory.Food,
                AllergyIntolerance.AllergyIntoleranceCategory.Environment => AllergyCategory.Environment,
                AllergyIntolerance.AllergyIntoleranceCategory.Biologic => AllergyCategory.Biologic,
                _ => AllergyCategory.Medication,
            };
            var criticality = a.Criticality switch
            {
                AllergyIntolerance.AllergyIntoleranceCriticality.Low => AllergyCriticality.Low,
                AllergyIntolerance.AllergyIntoleranceCriticality.High => AllergyCriticality.High,
                _ => AllergyCriticality.Unknown,
            };
            var reaction = a.Reaction.FirstOrDefault()?.Manifestation.Select(Display).FirstOrDefault(t => t is not null);
            return Draft(nric, EntryKind.Allergy, id, when, s => new AllergyEntry(s, substance!, category, criticality, reaction));
        }

        private EntryDraft? Vaccination(Immunization i)
        {
            var nric = Subject(i.Patient, "patient");
            var vaccine = Text(i.VaccineCode, "vaccineCode");
            var when = Date(DateOf(i.Occurrence), "occurrence[x]");
            var dose = i.ProtocolApplied.FirstOrDefault()?.DoseNumber is PositiveInt p ? p.Value : null;
            return Draft(nric, EntryKind.Vaccination, SourceId(i.Identifier), when, s => new VaccinationEntry(s, vaccine!, dose));
        }

        private EntryDraft? Medication(
            ResourceReference? subject, DataType? medication, string? date, string dateElement, string? dosage, MedicationStatus status, List<Identifier> identifiers)
        {
            var nric = Subject(subject, "subject");
            var name = medication switch
            {
                CodeableConcept concept => Display(concept),
                ResourceReference reference => reference.Display,
                _ => null,
            };
            if (string.IsNullOrWhiteSpace(name))
            {
                Problem(IssueKind.Invalid, "medication[x]", "The medication is required (a code with text or display, or a reference with display).");
            }

            var when = Date(date, dateElement);
            return Draft(nric, EntryKind.Medication, SourceId(identifiers), when, s => new MedicationEntry(s, name!, dosage, status));
        }

        private EntryDraft? Lab(Observation o)
        {
            if (!o.Category.Any(c => c.Coding.Any(x => x.System == ObservationCategorySystem && x.Code == "laboratory")))
            {
                var category = o.Category.SelectMany(c => c.Coding).Select(c => c.Code).FirstOrDefault() ?? "none";
                Problem(IssueKind.NotSupported, "category",
                    $"Only laboratory observations (category {ObservationCategorySystem}|laboratory) are part of the NEHR; this one's category is {category}.");
                return null;
            }

            var nric = Subject(o.Subject, "subject");
            var test = Text(o.Code, "code");
            var code = o.Code?.Coding.FirstOrDefault()?.Code;
            string? value = null;
            string? unit = null;
            switch (o.Value)
            {
                case Quantity q when q.Value is not null:
                    value = q.Value.Value.ToString(CultureInfo.InvariantCulture);
                    unit = q.Unit ?? q.Code;
                    break;
                case FhirString text:
                    value = text.Value;
                    break;
                case CodeableConcept concept:
                    value = Display(concept);
                    break;
            }

            if (string.IsNullOrWhiteSpace(value))
            {
                Problem(IssueKind.Invalid, "value[x]", "A laboratory result needs a value (valueQuantity, valueString or valueCodeableConcept).");
            }

            var when = Date(DateOf(o.Effective) ?? o.Issued?.ToString("O", CultureInfo.InvariantCulture), "effective[x] or issued");
            var range = o.ReferenceRange.FirstOrDefault();
            var flag = o.Interpretation.SelectMany(c => c.Coding).Select(c => c.Code).FirstOrDefault() switch
            {
                "L" => AbnormalFlag.Low,
                "H" => AbnormalFlag.High,
                "LL" => AbnormalFlag.CriticalLow,
                "HH" => AbnormalFlag.CriticalHigh,
                "A" or "AA" => AbnormalFlag.Abnormal,
                _ => AbnormalFlag.Normal,
            };
            return Draft(nric, EntryKind.LabResult, SourceId(o.Identifier), when,
                s => new LabResultEntry(s, test!, code, value!, unit, range?.Low?.Value, range?.High?.Value, flag));
        }

        private EntryDraft? Report(DiagnosticReport r)
        {
            var nric = Subject(r.Subject, "subject");
            var test = Text(r.Code, "code");
            var conclusion = r.Conclusion ?? (r.Result.Count > 0 ? $"Report of {r.Result.Count} results" : null);
            if (string.IsNullOrWhiteSpace(conclusion))
            {
                Problem(IssueKind.Invalid, "conclusion", "A diagnostic report needs a conclusion or results.");
            }

            var when = Date(DateOf(r.Effective) ?? r.Issued?.ToString("O", CultureInfo.InvariantCulture), "effective[x] or issued");
            return Draft(nric, EntryKind.LabResult, SourceId(r.Identifier), when,
                s => new LabResultEntry(s, test!, r.Code?.Coding.FirstOrDefault()?.Code, conclusion!, null, null, null, AbnormalFlag.Normal));
        }

        private EntryDraft? Diagnosis(Condition c)
        {
            var nric = Subject(c.Subject, "subject");
            var description = Text(c.Code, "code");
            var when = Date(DateOf(c.Onset) ?? c.RecordedDate, "onset[x] or recordedDate");
            var status = c.ClinicalStatus?.Coding.FirstOrDefault()?.Code is "resolved" or "inactive" or "remission"
                ? DiagnosisStatus.Resolved
                : DiagnosisStatus.Active;
            return Draft(nric, EntryKind.Diagnosis, SourceId(c.Identifier), when,
                s => new DiagnosisEntry(s, c.Code?.Coding.FirstOrDefault()?.Code, description!, status));
        }

        private EntryDraft? EncounterSummary(Encounter e)
        {
            var nric = Subject(e.Subject, "subject");
            var when = Date(e.Period?.Start, "period.start");
            var discharge = e.Hospitalization?.DischargeDisposition is not null || e.Period?.End is not null && e.Class?.Code == "IMP";
            var title = e.Type.Select(Display).FirstOrDefault(t => t is not null) ?? (discharge ? "Inpatient stay" : "Visit");
            var reasons = string.Join("; ", e.ReasonCode.Select(Display).Where(t => t is not null));
            var text = PlainText(e.Text) ?? (reasons.Length > 0 ? $"Reason: {reasons}" : null);
            if (text is null)
            {
                Problem(IssueKind.Invalid, "text", "A visit summary needs its text (the narrative) or a reasonCode.");
            }

            return Draft(nric, EntryKind.Summary, SourceId(e.Identifier), when,
                s => new SummaryEntry(s, discharge ? SummaryType.Discharge : SummaryType.Visit, title, text!));
        }

        private EntryDraft? CompositionSummary(Composition c)
        {
            var nric = Subject(c.Subject, "subject");
            var when = Date(c.Date, "date");
            var text = string.Join("\n\n", c.Section.Select(s => (s.Title is { } t ? t + ": " : string.Empty) + PlainText(s.Text)).Where(s => s.Length > 0));
            if (text.Length == 0)
            {
                Problem(IssueKind.Invalid, "section", "A summary needs at least one section with text.");
            }

            var title = c.Title ?? Display(c.Type) ?? "Summary";
            return Draft(nric, EntryKind.Summary, SourceId(c.Identifier is null ? [] : [c.Identifier]), when,
                s => new SummaryEntry(s, IsDischarge(c.Type) ? SummaryType.Discharge : SummaryType.Visit, title, text));
        }

        private EntryDraft? DocumentSummary(DocumentReference d)
        {
            var nric = Subject(d.Subject, "subject");
            var when = Date(d.Date?.ToString("O", CultureInfo.InvariantCulture), "date");
            var attachment = d.Content.FirstOrDefault()?.Attachment;
            string? text = null;
            if (attachment?.Data is { Length: > 0 } data && (attachment.ContentType ?? "text/plain").StartsWith("text/", StringComparison.Ordinal))
            {
                text = Encoding.UTF8.GetString(data);
            }

            text ??= d.Description;
            if (string.IsNullOrWhiteSpace(text))
            {
                Problem(IssueKind.Invalid, "content[0].attachment", "A document needs text content (a text/* attachment) or a description.");
            }

            var title = attachment?.Title ?? Display(d.Type) ?? "Document";
            return Draft(nric, EntryKind.Summary, SourceId(d.Identifier), when,
                s => new SummaryEntry(s, IsDischarge(d.Type) ? SummaryType.Discharge : SummaryType.Visit, title, text!));
        }

        private static bool IsDischarge(CodeableConcept? type) =>
            type?.Coding.Any(c => c.Code == "18842-5") == true || (Display(type)?.Contains("discharge", StringComparison.OrdinalIgnoreCase) ?? false);

        private EntryDraft? Draft(Nric? nric, EntryKind kind, string? sourceId, DateTime? when, Func<EntrySource, ClinicalEntry> create)
        {
            if (nric is null || sourceId is null || when is null || _problems > 0)
            {
                return null;
            }

            // Check the entry's own rules now (lengths, ranges), so every problem is found before anything is written.
            try
            {
                create(new EntrySource(1, 1, null, sourceId, when.Value, nowUtc));
            }
            catch (DomainException e)
            {
                Problem(IssueKind.Invalid, string.Empty, e.Message);
                return null;
            }

            return new EntryDraft(index, resource.TypeName, nric.Value, kind, sourceId, when.Value, create);
        }

        private Nric? Subject(ResourceReference? reference, string element)
        {
            if (reference is null)
            {
                Problem(IssueKind.Invalid, element, "The reference to the patient is required.");
                return null;
            }

            if (reference.Reference is { Length: > 0 } url && byFullUrl.TryGetValue(url, out var nric))
            {
                return nric;
            }

            if (reference.Identifier is { System: NricSystem } identifier)
            {
                if (Nric.TryParse(identifier.Value, out var byIdentifier, out var error))
                {
                    return byIdentifier;
                }

                Problem(IssueKind.Invalid, element + ".identifier", $"Invalid NRIC/FIN: {error}");
                return null;
            }

            Problem(IssueKind.Invalid, element,
                $"Reference the patient by the fullUrl of a Patient entry in this bundle, or by an identifier with system {NricSystem}.");
            return null;
        }

        private string? Text(CodeableConcept? concept, string element)
        {
            var text = Display(concept);
            if (string.IsNullOrWhiteSpace(text))
            {
                Problem(IssueKind.Invalid, element, $"{element} is required, with text or a coding display.");
            }

            return text;
        }

        private string? SourceId(List<Identifier> identifiers)
        {
            var identifier = identifiers.FirstOrDefault(i => !string.IsNullOrWhiteSpace(i.Value));
            var id = identifier is not null ? $"{identifier.System}|{identifier.Value}" : resource.Id;
            if (string.IsNullOrWhiteSpace(id))
            {
                Problem(IssueKind.Invalid, "identifier", "The source's own identifier (identifier, or id) is required, so that a resend updates the entry.");
                return null;
            }

            return id.Length > ClinicalEntry.MaxShortTextLength ? id[..ClinicalEntry.MaxShortTextLength] : id;
        }

        private DateTime? Date(string? value, string element)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                Problem(IssueKind.Invalid, element, $"{element} is required (when it happened).");
                return null;
            }

            try
            {
                var date = new FhirDateTime(value).ToDateTimeOffset(TimeSpan.Zero).UtcDateTime;
                if (date > nowUtc.AddDays(1))
                {
                    Problem(IssueKind.Invalid, element, $"{element} is in the future ({value}).");
                    return null;
                }

                return date;
            }
            catch (FormatException)
            {
                Problem(IssueKind.Invalid, element, $"{element} is not a valid FHIR date/time: {value}.");
                return null;
            }
        }

        private void Problem(IssueKind kind, string element, string message)
        {
            _problems++;
            issues.Add(new(kind, element.Length == 0 ? at : $"{at}.{element}", message));
        }

        private static string? DateOf(DataType? value) => value switch
        {
            FhirDateTime d => d.Value,
            Period p => p.Start,
            Date d => d.Value,
            _ => null,
        };

        private static string? Display(CodeableConcept? concept) =>
            concept is null ? null : !string.IsNullOrWhiteSpace(concept.Text) ? concept.Text : concept.Coding.Select(c => c.Display).FirstOrDefault(d => !string.IsNullOrWhiteSpace(d));

        private static string? PlainText(Narrative? narrative)
        {
            if (narrative?.Div is not { Length: > 0 } div)
            {
                return null;
            }

            var text = TagPattern().Replace(div, " ");
            text = System.Net.WebUtility.HtmlDecode(SpacePattern().Replace(text, " ")).Trim();
            return text.Length == 0 ? null : text;
        }
    }

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex SpacePattern();
}
