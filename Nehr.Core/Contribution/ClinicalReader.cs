using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hl7.Fhir.Model;
using Hl7.Fhir.Utility;
using Nehr.Core.Records;
using FhirResource = Hl7.Fhir.Model.Resource;

namespace Nehr.Core.Contribution;

/// <summary>
/// Reads one clinical resource the NEHR keeps into an entry of its kind. Only what the source said is kept: an element
/// it left out stays empty ("not stated"), never a default that states a clinical fact (no interpretation is not
/// "normal", no category is not "medication"). Categories and statuses decide what is kept: vital signs, a vaccination
/// not given, a planned visit are reported as not kept; entered-in-error withdraws what the source sent before.
/// </summary>
internal static partial class ClinicalReader
{
    /// <summary>DiagnosticReport categories (HL7 v2 table 0074, LOINC) of laboratory reports.</summary>
    private static readonly HashSet<string> LabReportCategories = new(StringComparer.OrdinalIgnoreCase)
    {
        "LAB", "laboratory", "HM", "CH", "MB", "MCB", "BG", "BLB", "CP", "CG", "IMM", "SR", "SP", "URN", "VR", "HLA", "MYC", "PAT", "TX", "OSL",
    };

    /// <summary>DiagnosticReport categories of radiology (imaging) reports.</summary>
    private static readonly HashSet<string> RadiologyReportCategories = new(StringComparer.OrdinalIgnoreCase)
    {
        "RAD", "imaging", "LP29684-5", "RX", "CT", "NMR", "NMS", "RUS", "VUS", "OUS", "CUS", "NRS", "XRC",
    };

    /// <summary>Encounter classes (HL7 v3 ActCode) in words.</summary>
    private static readonly Dictionary<string, string> EncounterClasses = new(StringComparer.Ordinal)
    {
        ["AMB"] = "Ambulatory",
        ["EMER"] = "Emergency",
        ["IMP"] = "Inpatient",
        ["ACUTE"] = "Inpatient (acute)",
        ["NONAC"] = "Inpatient (non-acute)",
        ["OBSENC"] = "Observation",
        ["PRENC"] = "Pre-admission",
        ["SS"] = "Short stay",
        ["VR"] = "Virtual",
        ["HH"] = "Home health",
        ["FLD"] = "Field",
    };

    public static ReadEntry Read(RawEntry entry, FhirResource resource, BundleContext context) =>
        new Reading(entry, resource, context).Read();

    private sealed class Reading(RawEntry entry, FhirResource resource, BundleContext context)
    {
        private readonly string _at = $"Bundle.entry[{entry.Index}].resource";
        private readonly List<ContributionIssue> _issues = [];

        /// <summary>The date element the resource did not give (in words), when it gave none.</summary>
        private string? _undated;

        /// <summary>The Patient entry this resource is for, once resolved.</summary>
        private int? _person;

        public ReadEntry Read()
        {
            var read = resource switch
            {
                AllergyIntolerance a => Allergy(a),
                Immunization i => Vaccination(i),
                MedicationRequest m => Medication(m.Subject, m.Medication, m.AuthoredOn, "authoredOn", Dosage(m.DosageInstruction), MedicationStatus.Prescribed, m.Identifier, Literal(m.Status)),
                MedicationStatement m => Statement(m),
                MedicationDispense m => Dispense(m),
                Observation o => Observation(o),
                DiagnosticReport r => Report(r),
                Condition c => Diagnosis(c),
                Procedure p => Procedure(p),
                Encounter e => Visit(e),
                Composition c => CompositionSummary(c),
                DocumentReference d => DocumentSummary(d),
                _ => null,
            };
            // What the NEHR does not keep is skipped, whatever is wrong in it: nothing of it is filed.
            if (read is { Role: EntryRole.NotKept })
            {
                return read;
            }

            CheckReferences(resource, _at);
            return _issues.Count > 0
                ? new ReadEntry(entry.Index, resource.TypeName, EntryRole.Failed, _issues)
                : read ?? new ReadEntry(entry.Index, resource.TypeName, EntryRole.Failed, [new(IssueKind.Invalid, _at, "The resource could not be read.")]);
        }

        private ReadEntry? Allergy(AllergyIntolerance a)
        {
            var verification = a.VerificationStatus?.Coding.FirstOrDefault()?.Code;
            if (verification == "entered-in-error")
            {
                return Withdrawal(EntryKind.Allergy, a.Patient, "patient", a.Identifier);
            }

            var person = Person(a.Patient, "patient");
            var substance = Text(a.Code, "code");
            var when = When(DateOf(a.Onset) ?? a.RecordedDate, "onset[x] or recordedDate");
            var category = a.Category.FirstOrDefault() switch
            {
                AllergyIntolerance.AllergyIntoleranceCategory.Food => AllergyCategory.Food,
                AllergyIntolerance.AllergyIntoleranceCategory.Medication => AllergyCategory.Medication,
                AllergyIntolerance.AllergyIntoleranceCategory.Environment => AllergyCategory.Environment,
                AllergyIntolerance.AllergyIntoleranceCategory.Biologic => AllergyCategory.Biologic,
                _ => AllergyCategory.NotStated,
            };
            var criticality = a.Criticality switch
            {
                AllergyIntolerance.AllergyIntoleranceCriticality.Low => AllergyCriticality.Low,
                AllergyIntolerance.AllergyIntoleranceCriticality.High => AllergyCriticality.High,
                AllergyIntolerance.AllergyIntoleranceCriticality.UnableToAssess => AllergyCriticality.UnableToAssess,
                _ => AllergyCriticality.NotStated,
            };
            var reactions = a.Reaction.SelectMany(r => r.Manifestation).Select(Display).Where(t => t is not null).Distinct().ToList();
            var reaction = reactions.Count == 0 ? null : string.Join("; ", reactions);
            var status = a.ClinicalStatus?.Coding.FirstOrDefault()?.Code;
            return Keep(EntryKind.Allergy, person, a.Identifier, when, status,
                s => new AllergyEntry(s, substance!, category, criticality, reaction, verification));
        }

        private ReadEntry? Vaccination(Immunization i)
        {
            switch (i.Status)
            {
                case Immunization.ImmunizationStatusCodes.EnteredInError:
                    return Withdrawal(EntryKind.Vaccination, i.Patient, "patient", i.Identifier);
                case Immunization.ImmunizationStatusCodes.NotDone:
                    return NotKept("A vaccination recorded as not done (status not-done) is not a vaccination given: not kept.");
            }

            var person = Person(i.Patient, "patient");
            var vaccine = Text(i.VaccineCode, "vaccineCode");
            var when = When(DateOf(i.Occurrence), "occurrenceDateTime");
            int? dose = i.ProtocolApplied.FirstOrDefault()?.DoseNumber switch
            {
                PositiveInt p => p.Value,
                FhirString s when int.TryParse(s.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
                _ => null,
            };
            return Keep(EntryKind.Vaccination, person, i.Identifier, when, Literal(i.Status), s => new VaccinationEntry(s, vaccine!, dose));
        }

        private ReadEntry? Statement(MedicationStatement m) => m.Status switch
        {
            MedicationStatement.MedicationStatusCodes.EnteredInError => Withdrawal(EntryKind.Medication, m.Subject, "subject", m.Identifier),
            MedicationStatement.MedicationStatusCodes.NotTaken => NotKept("A medication the patient is not taking (status not-taken) is not kept."),
            _ => Medication(m.Subject, m.Medication, DateOf(m.Effective) ?? m.DateAsserted, "effective[x] or dateAsserted", Dosage(m.Dosage),
                MedicationStatus.Recorded, m.Identifier, Literal(m.Status)),
        };

        private ReadEntry? Dispense(MedicationDispense m) => m.Status switch
        {
            MedicationDispense.MedicationDispenseStatusCodes.EnteredInError => Withdrawal(EntryKind.Medication, m.Subject, "subject", m.Identifier),
            MedicationDispense.MedicationDispenseStatusCodes.Cancelled or MedicationDispense.MedicationDispenseStatusCodes.Declined =>
                NotKept($"A dispense that did not happen (status {Literal(m.Status)}) is not kept."),
            _ => Medication(m.Subject, m.Medication, m.WhenHandedOver ?? m.WhenPrepared, "whenHandedOver or whenPrepared", Dosage(m.DosageInstruction),
                MedicationStatus.Dispensed, m.Identifier, Literal(m.Status)),
        };

        private ReadEntry? Medication(
            ResourceReference? subject, DataType? medication, string? date, string dateElement, string? dosage, MedicationStatus record,
            List<Identifier> identifiers, string? status)
        {
            if (status == "entered-in-error")
            {
                return Withdrawal(EntryKind.Medication, subject, "subject", identifiers);
            }

            var person = Person(subject, "subject");
            var name = medication switch
            {
                CodeableConcept concept => Display(concept),
                ResourceReference reference => reference.Display ?? MedicationInBundle(reference.Reference),
                _ => null,
            };
            if (string.IsNullOrWhiteSpace(name))
            {
                Problem(IssueKind.Invalid, "medication[x]",
                    "The medication is required: a code with text or display, or a reference with a display or to a Medication in the bundle.");
            }

            var when = When(date, dateElement);
            return Keep(EntryKind.Medication, person, identifiers, when, status, s => new MedicationEntry(s, name!, dosage, record));
        }

        /// <summary>The name of a Medication entry of the bundle (its code), for a medicationReference without a display.</summary>
        private string? MedicationInBundle(string? reference)
        {
            if (reference is null || context.Resolve(reference, entry.Index) is not { } index)
            {
                return null;
            }

            var medication = context.Entries[index].Resource;
            if (FhirBundleReader.TypeOf(context.Entries[index]) != "Medication" || !medication.TryGetProperty("code", out var code) || code.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            if (code.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(text.GetString()))
            {
                return text.GetString();
            }

            return code.TryGetProperty("coding", out var codings) && codings.ValueKind == JsonValueKind.Array
                ? codings.EnumerateArray()
                    .Select(c => c.ValueKind == JsonValueKind.Object && c.TryGetProperty("display", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null)
                    .FirstOrDefault(d => !string.IsNullOrWhiteSpace(d))
                : null;
        }

        private ReadEntry? Observation(Observation o)
        {
            var categories = Codes(o.Category);
            var kind = categories.Contains("laboratory") ? EntryKind.LabResult : categories.Contains("imaging") ? EntryKind.RadiologyResult : (EntryKind?)null;
            if (kind is null)
            {
                return NotKept(categories.Count == 0
                    ? "An Observation without a category is not kept: the NEHR keeps laboratory and imaging results (category laboratory or imaging)."
                    : $"An Observation of category {string.Join(", ", categories)} is not part of the NEHR's selected copy (laboratory and imaging results only): not kept.");
            }

            if (o.Status is ObservationStatus.EnteredInError or ObservationStatus.Cancelled)
            {
                return Withdrawal(kind.Value, o.Subject, "subject", o.Identifier, status: Literal(o.Status));
            }

            var person = Person(o.Subject, "subject");
            var test = Text(o.Code, "code");
            var when = When(DateOf(o.Effective) ?? Instant(o.Issued), "effective[x] or issued");
            var (value, unit) = ValueOf(o.Value);
            if (value is null && o.Component.Count > 0)
            {
                value = string.Join("; ", o.Component.Select(c => $"{Display(c.Code) ?? "component"}: {Joined(ValueOf(c.Value)) ?? DataAbsent(c.DataAbsentReason) ?? "no value"}"));
            }

            value ??= DataAbsent(o.DataAbsentReason);
            if (value is null)
            {
                // FHIR allows an Observation without a value (ordered, not yet resulted); the NEHR keeps results.
                return o.HasMember.Count > 0
                    ? NotKept("A panel (an Observation with hasMember and no value) is not kept itself: its results are kept from their own Observations.")
                    : NotKept($"A result without a value (value[x], components or a dataAbsentReason; status {Literal(o.Status) ?? "not stated"}) is not kept until it has one.");
            }

            var status = Literal(o.Status);
            if (kind == EntryKind.RadiologyResult)
            {
                var code = o.Code?.Coding.FirstOrDefault()?.Code;
                return Keep(kind.Value, person, o.Identifier, when, status,
                    s => new RadiologyResultEntry(s, test!, code, Joined((value, unit)), null));
            }

            var range = o.ReferenceRange.FirstOrDefault();
            var interpretation = o.Interpretation.FirstOrDefault();
            var (flag, interpretationText) = Interpretation(interpretation);
            var loinc = o.Code?.Coding.FirstOrDefault(c => c.System == "http://loinc.org")?.Code ?? o.Code?.Coding.FirstOrDefault()?.Code;
            return Keep(kind.Value, person, o.Identifier, when, status, s => new LabResultEntry(
                s, test!, loinc, value!, unit, range?.Low?.Value, range?.High?.Value, flag, interpretationText, range?.Text));
        }

        private ReadEntry? Report(DiagnosticReport r)
        {
            var categories = Codes(r.Category);
            var kind = categories.Any(RadiologyReportCategories.Contains) ? EntryKind.RadiologyResult
                : categories.Any(LabReportCategories.Contains) ? EntryKind.LabResult
                : (EntryKind?)null;
            if (kind is null)
            {
                return NotKept(categories.Count == 0
                    ? "A DiagnosticReport without a category is not kept: the NEHR keeps laboratory (LAB) and radiology (RAD) reports."
                    : $"A DiagnosticReport of category {string.Join(", ", categories)} is not a laboratory or radiology report: not kept.");
            }

            if (r.Status is DiagnosticReport.DiagnosticReportStatus.EnteredInError or DiagnosticReport.DiagnosticReportStatus.Cancelled)
            {
                return Withdrawal(kind.Value, r.Subject, "subject", r.Identifier, status: Literal(r.Status));
            }

            var person = Person(r.Subject, "subject");
            var test = Text(r.Code, "code");
            var when = When(DateOf(r.Effective) ?? Instant(r.Issued), "effective[x] or issued");
            var conclusion = string.IsNullOrWhiteSpace(r.Conclusion)
                ? r.ConclusionCode.Select(Display).FirstOrDefault(d => d is not null)
                : r.Conclusion;
            var report = r.PresentedForm.Select(TextOf).FirstOrDefault(t => t is not null);
            var code = r.Code?.Coding.FirstOrDefault()?.Code;
            var status = Literal(r.Status);
            if (kind == EntryKind.RadiologyResult)
            {
                report ??= PlainText(r.Text);
                if (conclusion is null && report is null)
                {
                    Problem(IssueKind.Invalid, "conclusion", "A radiology report needs its conclusion or its text (presentedForm as text/plain).");
                }

                return Keep(kind.Value, person, r.Identifier, when, status, s => new RadiologyResultEntry(s, test!, code, conclusion, report));
            }

            var value = conclusion ?? report;
            if (value is null)
            {
                return _issues.Count > 0
                    ? null
                    : NotKept("A laboratory report without a conclusion or text is not kept itself: its results are kept from their own Observations.");
            }

            return Keep(kind.Value, person, r.Identifier, when, status, s => new LabResultEntry(s, test!, code, value, null, null, null, AbnormalFlag.NotStated));
        }

        private ReadEntry? Diagnosis(Condition c)
        {
            var verification = c.VerificationStatus?.Coding.FirstOrDefault()?.Code;
            if (verification == "entered-in-error")
            {
                return Withdrawal(EntryKind.Diagnosis, c.Subject, "subject", c.Identifier);
            }

            var person = Person(c.Subject, "subject");
            var description = Text(c.Code, "code");
            var when = When(DateOf(c.Onset) ?? c.RecordedDate, "onset[x] or recordedDate");
            var status = c.ClinicalStatus?.Coding.FirstOrDefault()?.Code switch
            {
                "active" => DiagnosisStatus.Active,
                "recurrence" => DiagnosisStatus.Recurrence,
                "relapse" => DiagnosisStatus.Relapse,
                "inactive" => DiagnosisStatus.Inactive,
                "remission" => DiagnosisStatus.Remission,
                "resolved" => DiagnosisStatus.Resolved,
                _ => DiagnosisStatus.NotStated,
            };
            var code = c.Code?.Coding.FirstOrDefault()?.Code;
            return Keep(EntryKind.Diagnosis, person, c.Identifier, when, c.ClinicalStatus?.Coding.FirstOrDefault()?.Code,
                s => new DiagnosisEntry(s, code, description!, status, verification));
        }

        private ReadEntry? Procedure(Procedure p)
        {
            switch (p.Status)
            {
                case EventStatus.EnteredInError:
                    return Withdrawal(EntryKind.Procedure, p.Subject, "subject", p.Identifier);
                case EventStatus.NotDone:
                    return NotKept("A procedure recorded as not done (status not-done) is not kept.");
                case EventStatus.Preparation:
                    return NotKept("A procedure in preparation is kept once it is done.");
            }

            var person = Person(p.Subject, "subject");
            var name = Text(p.Code, "code");
            var when = When(DateOf(p.Performed), "performedDateTime or performedPeriod");
            var ended = p.Performed is Period { End: { } end } ? Moment(end, "performedPeriod.end") : null;
            var code = p.Code?.Coding.FirstOrDefault()?.Code;
            var bodySite = Joined(p.BodySite.Select(Display));
            var reason = Joined(p.ReasonCode.Select(Display).Concat(p.ReasonReference.Select(r => r.Display)));
            var outcome = Display(p.Outcome);
            return Keep(EntryKind.Procedure, person, p.Identifier, when, Literal(p.Status),
                s => new ProcedureEntry(s, name!, code, ended, bodySite, reason, outcome));
        }

        private ReadEntry? Visit(Encounter e)
        {
            var episode = e.Status switch
            {
                Encounter.EncounterStatus.Cancelled or Encounter.EncounterStatus.EnteredInError => EpisodeState.Cancelled,
                Encounter.EncounterStatus.Finished or Encounter.EncounterStatus.Unknown or null => EpisodeState.Ended,
                _ => EpisodeState.UnderWay,
            };
            if (episode == EpisodeState.Cancelled)
            {
                return Withdrawal(EntryKind.Visit, e.Subject, "subject", e.Identifier, new EpisodeRead(EpisodeState.Cancelled, null), Literal(e.Status));
            }

            var person = Person(e.Subject, "subject");
            var sourceId = SourceId(e.Identifier);
            if (e.Status == Encounter.EncounterStatus.Planned)
            {
                // Nothing happened yet: the patient is registered with the provider for the episode, nothing is filed.
                return person is null || sourceId is null || _issues.Count > 0
                    ? null
                    : new ReadEntry(entry.Index, resource.TypeName, EntryRole.Registration,
                        [new(IssueKind.Information, _at, "A planned visit registers the patient with your provider for the episode; it is kept as a visit once it takes place.")],
                        Draft: new EntryDraft(EntryKind.Visit, person.Value, sourceId, context.NowUtc, null, new EpisodeRead(EpisodeState.UnderWay, null)));
            }

            var when = When(e.Period?.Start, "period.start");
            var ended = e.Period?.End is { } end ? Moment(end, "period.end") : null;
            var classCode = e.Class?.Code;
            var classText = classCode is not null && e.Class!.System is null or "http://terminology.hl7.org/CodeSystem/v3-ActCode" && EncounterClasses.TryGetValue(classCode, out var words)
                ? words
                : e.Class?.Display ?? classCode;
            var type = e.Type.Select(Display).FirstOrDefault(t => t is not null) ?? (classText is null ? null : $"{classText} visit");
            if (type is null)
            {
                Problem(IssueKind.Invalid, "type", "A visit needs its type or its class.");
            }

            var reason = Joined(e.ReasonCode.Select(Display).Concat(e.ReasonReference.Select(r => r.Display)));
            var servedBy = e.ServiceProvider?.Display;
            var disposition = Display(e.Hospitalization?.DischargeDisposition);
            return Keep(EntryKind.Visit, person, e.Identifier, when, Literal(e.Status),
                s => new VisitEntry(s, type!, classText, ended, reason, servedBy, disposition),
                new EpisodeRead(episode, episode == EpisodeState.Ended ? ended ?? when : null), sourceId);
        }

        private ReadEntry? CompositionSummary(Composition c)
        {
            List<Identifier> identifiers = c.Identifier is null ? [] : [c.Identifier];
            if (c.Status == CompositionStatus.EnteredInError)
            {
                return Withdrawal(EntryKind.Summary, c.Subject, "subject", identifiers);
            }

            var person = Person(c.Subject, "subject");
            var when = When(c.Date, "date");
            var text = string.Join("\n\n", Sections(c.Section));
            if (text.Length == 0)
            {
                Problem(IssueKind.Invalid, "section", "A summary needs at least one section with text.");
            }

            var title = c.Title ?? Display(c.Type) ?? "Clinical document";
            var type = IsDischarge(c.Type) ? SummaryType.Discharge : SummaryType.Visit;
            return Keep(EntryKind.Summary, person, identifiers, when, Literal(c.Status), s => new SummaryEntry(s, type, title, text));
        }

        private static IEnumerable<string> Sections(IEnumerable<Composition.SectionComponent> sections)
        {
            foreach (var section in sections)
            {
                var text = PlainText(section.Text);
                if (text is not null)
                {
                    yield return section.Title is { } title ? $"{title}: {text}" : text;
                }

                foreach (var nested in Sections(section.Section))
                {
                    yield return nested;
                }
            }
        }

        private ReadEntry? DocumentSummary(DocumentReference d)
        {
            if (d.Status == DocumentReferenceStatus.EnteredInError || d.DocStatus == CompositionStatus.EnteredInError)
            {
                return Withdrawal(EntryKind.Summary, d.Subject, "subject", d.Identifier);
            }

            var attachments = d.Content.Select(c => c.Attachment).Where(a => a is not null).ToList();
            var text = attachments.Select(TextOf).FirstOrDefault(t => t is not null) ?? (string.IsNullOrWhiteSpace(d.Description) ? null : d.Description);
            if (text is null && attachments.Any(a => a.ContentType is { } type && !MimeType().IsMatch(type)))
            {
                // The content type decides whether it is text, so a malformed one is an error (reported by the reference and
                // attachment check that follows), not a reason to skip the document.
                return null;
            }

            if (text is null)
            {
                var types = string.Join(", ", attachments.Select(a => a.ContentType).Where(t => t is not null).Distinct());
                return NotKept($"A document without text (a text/* attachment or a description) is not kept{(types.Length > 0 ? $"; this one is {types}" : string.Empty)}.");
            }

            var person = Person(d.Subject, "subject");
            var when = When(Instant(d.Date) ?? d.Context?.Period?.Start, "date or context.period.start");
            var title = attachments.Select(a => a.Title).FirstOrDefault(t => !string.IsNullOrWhiteSpace(t)) ?? Display(d.Type) ?? "Clinical document";
            var type = IsDischarge(d.Type) ? SummaryType.Discharge : SummaryType.Visit;
            return Keep(EntryKind.Summary, person, d.Identifier, when, Literal(d.Status), s => new SummaryEntry(s, type, title, text));
        }

        private static bool IsDischarge(CodeableConcept? type) =>
            type?.Coding.Any(c => c.Code is "18842-5" or "11490-0" or "28655-9" or "34105-7") == true
            || (Display(type)?.Contains("discharge", StringComparison.OrdinalIgnoreCase) ?? false);

        private ReadEntry? NotKept(string why) => FhirBundleReader.NotKept(entry, resource.TypeName, why);

        /// <summary>entered-in-error: the person and the source identifier are all that is needed to withdraw the entry.</summary>
        private ReadEntry? Withdrawal(
            EntryKind kind, ResourceReference? subject, string element, List<Identifier> identifiers, EpisodeRead? episode = null, string? status = null)
        {
            var person = Person(subject, element);
            var sourceId = SourceId(identifiers);
            return person is null || sourceId is null || _issues.Count > 0
                ? null
                : new ReadEntry(entry.Index, resource.TypeName, EntryRole.Withdrawal, [],
                    Draft: new EntryDraft(kind, person.Value, sourceId, context.NowUtc, null, episode) { WithdrawnAs = status ?? ClinicalEntry.EnteredInError });
        }

        private ReadEntry? Keep(
            EntryKind kind, int? person, List<Identifier> identifiers, DateTime? when, string? status, Func<EntrySource, ClinicalEntry> create,
            EpisodeRead? episode = null, string? sourceId = null)
        {
            sourceId ??= SourceId(identifiers);
            if (when is null && _undated is not null && _issues.Count == 0)
            {
                return NotKept($"A {resource.TypeName} without a date ({_undated}) is not kept: the NEHR files every entry at the date the source gives, and never makes one up.");
            }

            if (person is null || sourceId is null || when is null || _issues.Count > 0)
            {
                return null;
            }

            // The entry, with its own rules checked now (lengths, ranges), so that every problem is found before anything
            // is written; it is filed under its patient, provider and system once the person is resolved.
            ClinicalEntry made;
            try
            {
                made = create(new EntrySource(ClinicalEntry.NotYetFiled, ClinicalEntry.NotYetFiled, null, sourceId, when.Value, context.NowUtc, status));
            }
            catch (DomainException e)
            {
                Problem(IssueKind.Invalid, string.Empty, e.Message);
                return null;
            }

            return new ReadEntry(entry.Index, resource.TypeName, EntryRole.Clinical, [],
                Draft: new EntryDraft(kind, person.Value, sourceId, when.Value, made, episode));
        }

        /// <summary>The Patient entry the reference names: by fullUrl or a relative reference, or by the NRIC/FIN identifier of a Patient in the bundle.</summary>
        private int? Person(ResourceReference? reference, string element)
        {
            if (reference is null || reference.Reference is null && reference.Identifier is null)
            {
                Problem(IssueKind.Invalid, element, "The reference to the patient is required.");
                return null;
            }

            int? index = null;
            var conditional = reference.Reference is { } written ? ConditionalIdentifier(written) : null;
            if (reference.Reference is { Length: > 0 } url && conditional is null)
            {
                index = context.Resolve(url, entry.Index);
                if (index is null)
                {
                    Problem(IssueKind.Invalid, element + ".reference", url.StartsWith("urn:uuid:", StringComparison.Ordinal)
                        ? "The patient reference points to no entry of the bundle (a dangling urn:uuid)."
                        : "The patient reference points to no Patient in the bundle: the bundle must carry the Patient of every person it files for.");
                    return null;
                }
            }
            else if ((conditional ?? reference.Identifier) is { } identifier)
            {
                if (identifier.System != FhirBundleReader.NricSystem)
                {
                    Problem(IssueKind.Invalid, element + ".identifier",
                        $"Reference the patient by the fullUrl of a Patient entry, or by an identifier with system {FhirBundleReader.NricSystem}.");
                    return null;
                }

                if (!Records.Nric.TryParse(identifier.Value, out var nric, out var error))
                {
                    Problem(IssueKind.Invalid, element + ".identifier", $"Invalid NRIC/FIN: {error}");
                    return null;
                }

                index = context.People.Where(p => p.Value.Person?.Nric == nric).Select(p => (int?)p.Key).FirstOrDefault();
                if (index is null)
                {
                    Problem(IssueKind.Invalid, element + ".identifier",
                        "The bundle must carry the Patient (with name, birthDate and gender) of every person it files for; this NRIC/FIN has none.");
                    return null;
                }
            }

            if (reference.Reference is not null && reference.Identifier is { System: FhirBundleReader.NricSystem } also
                && context.People.TryGetValue(index!.Value, out var named) && named.Person is { } namedPerson
                && (!Records.Nric.TryParse(also.Value, out var alsoNric) || alsoNric != namedPerson.Nric))
            {
                Problem(IssueKind.BusinessRule, element + ".identifier",
                    "The patient reference names one person and its identifier another NRIC/FIN: the NEHR does not choose. Send one of them, or both for the same person.");
                return null;
            }

            if (!context.People.TryGetValue(index!.Value, out var person))
            {
                Problem(IssueKind.Invalid, element, $"The patient reference points to entry {index}, which is a {FhirBundleReader.TypeOf(context.Entries[index.Value]) ?? "entry"}, not a Patient.");
                return null;
            }

            if (person.Role != EntryRole.Person)
            {
                Problem(IssueKind.Invalid, element, $"The Patient at entry {index} could not be read (see its own problems), so nothing is filed for it.");
                return null;
            }

            _person = index;
            return index;
        }

        /// <summary>
        /// A conditional reference to the Patient by its identifier (Patient?identifier=system|value, as FHIR's transaction
        /// rules allow), read as that identifier; null for any other reference.
        /// </summary>
        private static Identifier? ConditionalIdentifier(string reference)
        {
            const string prefix = "Patient?identifier=";
            if (!reference.StartsWith(prefix, StringComparison.Ordinal) || reference.Contains('&', StringComparison.Ordinal))
            {
                return null;
            }

            string token;
            try
            {
                token = Uri.UnescapeDataString(reference[prefix.Length..]);
            }
            catch (UriFormatException)
            {
                return new Identifier(null, null);
            }

            var bar = token.LastIndexOf('|');
            return bar < 0 ? new Identifier(null, token) : new Identifier(token[..bar], token[(bar + 1)..]);
        }

        /// <summary>
        /// The NRIC/FIN of the person an Encounter entry of the bundle is for (its subject, by reference to a Patient entry,
        /// conditional reference or identifier), when it can be told.
        /// </summary>
        private Records.Nric? EncounterPerson(int encounterIndex)
        {
            var encounter = context.Entries[encounterIndex].Resource;
            if (encounter.ValueKind != JsonValueKind.Object || !encounter.TryGetProperty("subject", out var subject) || subject.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            Identifier? identifier = null;
            if (subject.TryGetProperty("reference", out var reference) && reference.ValueKind == JsonValueKind.String && reference.GetString() is { Length: > 0 } url)
            {
                identifier = ConditionalIdentifier(url);
                if (identifier is null)
                {
                    return context.Resolve(url, encounterIndex) is { } index && context.People.TryGetValue(index, out var patient) ? patient.Person?.Nric : null;
                }
            }
            else if (subject.TryGetProperty("identifier", out var written) && written.ValueKind == JsonValueKind.Object
                && written.TryGetProperty("system", out var system) && system.ValueKind == JsonValueKind.String
                && written.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.String)
            {
                identifier = new Identifier(system.GetString(), value.GetString());
            }

            return identifier is { System: FhirBundleReader.NricSystem } && Records.Nric.TryParse(identifier.Value, out var nric) ? nric : null;
        }

        /// <summary>
        /// Every urn:uuid reference in a kept resource must name an entry of the bundle (FHIR's transaction rule), an
        /// encounter reference that names an entry must name an Encounter, and attachments carry a real MIME type.
        /// </summary>
        private void CheckReferences(Base element, string path)
        {
            foreach (var (name, value) in element.EnumerateElements())
            {
                if (value is IReadOnlyList<Base> list)
                {
                    for (var i = 0; i < list.Count; i++)
                    {
                        Check(list[i], name, $"{path}.{name}[{i}]");
                    }
                }
                else if (value is Base child)
                {
                    Check(child, name, $"{path}.{name}");
                }
            }
        }

        private void Check(Base value, string name, string path)
        {
            switch (value)
            {
                case PrimitiveType:
                    return;
                case ResourceReference { Reference: { } url }:
                    var target = context.Resolve(url, entry.Index);
                    if (target is null && url.StartsWith("urn:uuid:", StringComparison.Ordinal))
                    {
                        _issues.Add(new(IssueKind.Invalid, path, "A urn:uuid reference points to no entry of the bundle (dangling)."));
                    }
                    else if (target is { } found && name == "encounter" && FhirBundleReader.TypeOf(context.Entries[found]) is { } type && type != "Encounter")
                    {
                        _issues.Add(new(IssueKind.Invalid, path, $"An encounter reference points to entry {found}, which is a {type}, not an Encounter."));
                    }
                    else if (target is { } visit && name == "encounter" && FhirBundleReader.TypeOf(context.Entries[visit]) == "Encounter"
                        && _person is { } mine && context.People.TryGetValue(mine, out var own) && own.Person is { } ownPerson
                        && EncounterPerson(visit) is { } theirs && theirs != ownPerson.Nric)
                    {
                        _issues.Add(new(IssueKind.BusinessRule, path,
                            $"The encounter (entry {visit}) is another person's than this resource's (the Patient of entry {mine}): the NEHR does not choose."));
                    }

                    return;
                case Attachment { ContentType: { } contentType } when !MimeType().IsMatch(contentType):
                    _issues.Add(new(IssueKind.Malformed, path + ".contentType", "contentType is not a MIME type (type/subtype, e.g. text/plain)."));
                    return;
            }

            CheckReferences(value, path);
        }

        /// <summary>
        /// The source's own identifier, whole: its first identifier (system|value), else the resource id, else the entry's
        /// fullUrl; the system, the value and the whole without whitespace at their ends (as it is stored), so that a
        /// resend with or without them finds it and hashes it the same.
        /// </summary>
        private string? SourceId(List<Identifier> identifiers)
        {
            var identifier = identifiers.FirstOrDefault(i => !string.IsNullOrWhiteSpace(i.Value));
            var id = (identifier is not null ? $"{identifier.System?.Trim()}|{identifier.Value!.Trim()}"
                : !string.IsNullOrWhiteSpace(resource.Id) ? $"{resource.TypeName}/{resource.Id}"
                : entry.FullUrl)?.Trim();
            if (string.IsNullOrWhiteSpace(id))
            {
                Problem(IssueKind.Invalid, "identifier", "The source's own identifier (identifier, id or fullUrl) is required, so that a resend updates the entry.");
                return null;
            }

            if (id.Length > ClinicalEntry.MaxSourceIdentifierLength)
            {
                Problem(IssueKind.Invalid, "identifier", $"The source identifier has more than {ClinicalEntry.MaxSourceIdentifierLength:N0} characters (FHIR's limit for a string).");
                return null;
            }

            return id;
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

        private DateTime? When(string? value, string element)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                // FHIR allows it (a procedure of the surgical history, an onset given as an age or in words); the NEHR
                // files every entry at its date and never makes one up: not kept (see Keep).
                _undated = element;
                return null;
            }

            return Moment(value, element.Split(' ')[0]);
        }

        private DateTime? Moment(string value, string element)
        {
            DateTime utc;
            try
            {
                // A date without a time (or a year and month) counts from its start, in UTC when no offset is given.
                utc = new FhirDateTime(value).ToDateTimeOffset(TimeSpan.Zero).UtcDateTime;
            }
            catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
            {
                Problem(IssueKind.Malformed, element, $"{element} is not a valid FHIR date/time.");
                return null;
            }

            if (utc > context.NowUtc.AddDays(1))
            {
                Problem(IssueKind.Invalid, element, $"{element} is in the future.");
                return null;
            }

            return utc;
        }

        private void Problem(IssueKind kind, string element, string message) =>
            _issues.Add(new(kind, element.Length == 0 ? _at : $"{_at}.{element}", message));
    }

    private static string? Literal<T>(T? value)
        where T : struct, Enum => value is { } v ? v.GetLiteral() : null;

    private static string? Instant(DateTimeOffset? value) => value?.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFK", CultureInfo.InvariantCulture);

    private static string? DateOf(DataType? value) => value switch
    {
        FhirDateTime d => d.Value,
        Period p => p.Start,
        Date d => d.Value,
        Instant i => Instant(i.Value),
        _ => null,
    };

    /// <summary>
    /// Why a resource of categories the NEHR does not keep is not kept (an Observation or DiagnosticReport with categories,
    /// none of them kept), or null. Used on what could be read of a resource that failed the strict parse: what is not
    /// kept is skipped, whatever is wrong in it.
    /// </summary>
    internal static string? NotKeptCategory(FhirResource resource)
    {
        switch (resource)
        {
            case Observation o when Codes(o.Category) is { Count: > 0 } categories && !categories.Contains("laboratory") && !categories.Contains("imaging"):
                return $"An Observation of category {string.Join(", ", categories)} is not part of the NEHR's selected copy (laboratory and imaging results only): not kept.";
            case DiagnosticReport r when Codes(r.Category) is { Count: > 0 } categories
                && !categories.Any(RadiologyReportCategories.Contains) && !categories.Any(LabReportCategories.Contains):
                return $"A DiagnosticReport of category {string.Join(", ", categories)} is not a laboratory or radiology report: not kept.";
            default:
                return null;
        }
    }

    private static HashSet<string> Codes(IEnumerable<CodeableConcept> concepts) =>
        concepts.SelectMany(c => c.Coding).Select(c => c.Code).Where(c => !string.IsNullOrWhiteSpace(c)).Select(c => c!).ToHashSet(StringComparer.OrdinalIgnoreCase);

    internal static string? Display(CodeableConcept? concept) =>
        concept is null ? null
        : !string.IsNullOrWhiteSpace(concept.Text) ? concept.Text
        : concept.Coding.Select(c => c.Display).FirstOrDefault(d => !string.IsNullOrWhiteSpace(d));

    private static string? Joined(IEnumerable<string?> parts)
    {
        var list = parts.Where(p => !string.IsNullOrWhiteSpace(p)).Distinct().ToList();
        return list.Count == 0 ? null : string.Join("; ", list);
    }

    private static string? Joined((string? Value, string? Unit) value) =>
        value.Value is null ? null : value.Unit is null ? value.Value : $"{value.Value} {value.Unit}";

    private static string? DataAbsent(CodeableConcept? reason) =>
        reason is null ? null : $"No value: {Display(reason) ?? reason.Coding.FirstOrDefault()?.Code ?? "reason not given"}";

    /// <summary>A value as the source gave it, with its comparator (&lt; 5 is not 5), and its unit apart for quantities.</summary>
    private static (string? Value, string? Unit) ValueOf(DataType? value) => value switch
    {
        Quantity { Value: { } v } q => ($"{(q.Comparator is { } c ? c.GetLiteral() + " " : string.Empty)}{v.ToString(CultureInfo.InvariantCulture)}", q.Unit ?? q.Code),
        CodeableConcept c => (Display(c) ?? c.Coding.FirstOrDefault()?.Code, null),
        FhirString s => (s.Value, null),
        FhirBoolean b when b.Value is { } v => (v ? "Yes" : "No", null),
        Integer i when i.Value is { } v => (v.ToString(CultureInfo.InvariantCulture), null),
        Hl7.Fhir.Model.Range r when r.Low?.Value is not null || r.High?.Value is not null =>
            ($"{r.Low?.Value?.ToString(CultureInfo.InvariantCulture) ?? "…"}–{r.High?.Value?.ToString(CultureInfo.InvariantCulture) ?? "…"}", r.Low?.Unit ?? r.High?.Unit),
        Ratio { Numerator.Value: { } n, Denominator.Value: { } d } => ($"{n.ToString(CultureInfo.InvariantCulture)}:{d.ToString(CultureInfo.InvariantCulture)}", null),
        Time t => (t.Value, null),
        FhirDateTime d => (d.Value, null),
        Period p => ($"{p.Start} – {p.End}", null),
        SampledData => ("Sampled data (not shown)", null),
        _ => (null, null),
    };

    /// <summary>
    /// HL7 v3 ObservationInterpretation: N, L, H, LL, HH, A, AA (and LU, HU) as flags; anything else (POS, DET, R,
    /// "&lt;"…) as its own words. No interpretation: not stated.
    /// </summary>
    private static (AbnormalFlag Flag, string? Text) Interpretation(CodeableConcept? interpretation)
    {
        if (interpretation is null)
        {
            return (AbnormalFlag.NotStated, null);
        }

        var coding = interpretation.Coding.FirstOrDefault();
        var text = Display(interpretation) ?? coding?.Code;
        AbnormalFlag? flag = coding?.Code switch
        {
            "N" => AbnormalFlag.Normal,
            "L" or "LU" => AbnormalFlag.Low,
            "H" or "HU" => AbnormalFlag.High,
            "LL" => AbnormalFlag.CriticalLow,
            "HH" => AbnormalFlag.CriticalHigh,
            "A" or "AA" => AbnormalFlag.Abnormal,
            _ => null,
        };
        return flag is { } f ? (f, text) : text is null ? (AbnormalFlag.NotStated, null) : (AbnormalFlag.Other, text);
    }

    /// <summary>A dosage as the source wrote it: its text, else its dose, frequency and "as needed".</summary>
    private static string? Dosage(IEnumerable<Dosage> dosages)
    {
        var dosage = dosages.FirstOrDefault();
        if (dosage is null)
        {
            return null;
        }

        if (!string.IsNullOrWhiteSpace(dosage.Text))
        {
            return dosage.Text;
        }

        var parts = new List<string>();
        if (dosage.DoseAndRate.FirstOrDefault()?.Dose is Quantity { Value: { } dose } q)
        {
            parts.Add($"dose {dose.ToString(CultureInfo.InvariantCulture)}{(q.Unit is { } unit ? " " + unit : string.Empty)}");
        }

        if (dosage.Timing?.Repeat is { Frequency: { } frequency, Period: { } period, PeriodUnit: { } periodUnit })
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{frequency} time{(frequency == 1 ? "" : "s")} every {period} {periodUnit.GetLiteral()}"));
        }

        if (dosage.AsNeeded is FhirBoolean { Value: true })
        {
            parts.Add("as needed");
        }

        return parts.Count == 0 ? null : string.Join(", ", parts);
    }

    /// <summary>The text of a text/* attachment (base64 data, UTF-8), if it has one.</summary>
    private static string? TextOf(Attachment? attachment)
    {
        if (attachment?.Data is not { Length: > 0 } data || !(attachment.ContentType ?? "text/plain").StartsWith("text/", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(data);
        if (attachment.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true)
        {
            text = Untag(text);
        }

        text = TextOnly(text).Trim();
        return text.Length == 0 ? null : text;
    }

    private static string? PlainText(Narrative? narrative)
    {
        if (narrative?.Div is not { Length: > 0 } div)
        {
            return null;
        }

        var text = Untag(div);
        return text.Length == 0 ? null : text;
    }

    private static string Untag(string html) =>
        TextOnly(System.Net.WebUtility.HtmlDecode(SpacePattern().Replace(TagPattern().Replace(html, " "), " "))).Trim();

    /// <summary>
    /// Decoded text (an attachment's bytes, a narrative's entities) can hold what no FHIR string may: control
    /// characters (a NUL cannot even be stored by PostgreSQL). They become spaces; tabs and line breaks stay.
    /// </summary>
    private static string TextOnly(string text) =>
        text.Any(c => char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
            ? new string(text.Select(c => char.IsControl(c) && c is not ('\t' or '\n' or '\r') ? ' ' : c).ToArray())
            : text;

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(\s*;.*)?$")]
    private static partial Regex MimeType();

    [GeneratedRegex(@"\s+")]
    private static partial Regex SpacePattern();
}
