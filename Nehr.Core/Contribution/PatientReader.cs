using System.Globalization;
using Hl7.Fhir.Model;
using Hl7.Fhir.Utility;
using Nehr.Core.Records;
using FhirPatient = Hl7.Fhir.Model.Patient;

namespace Nehr.Core.Contribution;

/// <summary>
/// Reads a Patient entry into the person it names: exactly one NRIC/FIN (the population register may add former ones,
/// with use "old"), the names (every HumanName: its text, and family and given in either order), a full date of birth
/// and the gender; from the population register also race (extension) and death (deceased[x]). A provider's Patient
/// that names two NRIC/FINs is refused: the NEHR never chooses one silently.
/// </summary>
internal static class PatientReader
{
    public static ReadEntry Read(RawEntry entry, BundleContext context)
    {
        var issues = new List<ContributionIssue>();
        var at = $"Bundle.entry[{entry.Index}].resource";
        if (FhirBundleReader.Parse(entry, issues) is not FhirPatient patient)
        {
            return new ReadEntry(entry.Index, "Patient", EntryRole.Failed, issues);
        }

        var register = context.Kind == SystemKind.PopulationRegister;
        var nrics = new List<(Nric Nric, bool Old)>();
        for (var i = 0; i < patient.Identifier.Count; i++)
        {
            var identifier = patient.Identifier[i];
            if (identifier.System != FhirBundleReader.NricSystem)
            {
                continue;
            }

            if (!Nric.TryParse(identifier.Value, out var nric, out var error))
            {
                issues.Add(new(IssueKind.Invalid, $"{at}.identifier[{i}]", $"Invalid NRIC/FIN: {error}"));
                continue;
            }

            if (!nrics.Any(n => n.Nric == nric))
            {
                // A former NRIC/FIN (use old): the register records the change; a provider's is only checked (ProviderFeed).
                nrics.Add((nric, identifier.Use == Identifier.IdentifierUse.Old));
            }
        }

        var current = nrics.Where(n => !n.Old).Select(n => n.Nric).ToList();
        if (issues.Count == 0 && current.Count == 0)
        {
            issues.Add(new(IssueKind.Invalid, $"{at}.identifier",
                $"The Patient needs an identifier with system {FhirBundleReader.NricSystem} (the NRIC/FIN)."));
        }
        else if (current.Count > 1)
        {
            issues.Add(new(IssueKind.BusinessRule, $"{at}.identifier", register
                ? "The Patient has more than one current NRIC/FIN; mark the former ones with use \"old\"."
                : "The Patient has two different current NRIC/FINs: the NEHR does not choose one. Send one Patient per person, with its one NRIC/FIN (a former one with use \"old\")."));
        }

        var names = Names(patient.Name);
        if (names.Count == 0)
        {
            issues.Add(new(IssueKind.Invalid, $"{at}.name", "The Patient needs the person's name (name.text, or family and given)."));
        }
        else if (names.Any(n => n.Display.Length > Records.Patient.MaxNameLength))
        {
            issues.Add(new(IssueKind.Invalid, $"{at}.name", $"A name has at most {Records.Patient.MaxNameLength} characters."));
        }

        DateOnly? birthDate = null;
        if (string.IsNullOrEmpty(patient.BirthDate))
        {
            issues.Add(new(IssueKind.Invalid, $"{at}.birthDate", "The Patient needs the date of birth (birthDate)."));
        }
        else if (!DateOnly.TryParseExact(patient.BirthDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            issues.Add(new(IssueKind.Invalid, $"{at}.birthDate", "The date of birth must be a full date (YYYY-MM-DD) to identify the person."));
        }
        else if (parsed > DateOnly.FromDateTime(context.NowUtc.AddDays(1)))
        {
            issues.Add(new(IssueKind.Invalid, $"{at}.birthDate", "The date of birth is in the future."));
        }
        else
        {
            birthDate = parsed;
        }

        Sex? sex = patient.Gender switch
        {
            AdministrativeGender.Female => Sex.Female,
            AdministrativeGender.Male => Sex.Male,
            AdministrativeGender.Other => Sex.Other,
            AdministrativeGender.Unknown => Sex.Unknown,
            _ => null,
        };
        if (sex is null)
        {
            issues.Add(new(IssueKind.Invalid, $"{at}.gender", "The Patient needs the gender (male, female, other or unknown)."));
        }

        Race? race = null;
        var deceased = false;
        DateOnly? dateOfDeath = null;
        List<Nric>? parents = null;
        if (register)
        {
            race = Race(patient, at, issues);
            (deceased, dateOfDeath) = Death(patient.Deceased, at, issues);
            parents = Parents(patient, at, current, issues);
        }

        if (issues.Count > 0)
        {
            return new ReadEntry(entry.Index, "Patient", EntryRole.Failed, issues);
        }

        var details = new PersonDetails(
            current[0], names[0].Display, names.Skip(1).Select(n => n.Display).Take(Records.Patient.MaxAliases).ToList(),
            birthDate!.Value, sex!.Value, race, deceased, dateOfDeath);
        var person = new PersonRead(
            current[0], nrics.Where(n => n.Old).Select(n => n.Nric).ToList(), details, names.SelectMany(n => n.Forms).ToList(),
            entry.FullUrl ?? patient.Id, parents);
        return new ReadEntry(entry.Index, "Patient", EntryRole.Person, [], Person: person);
    }

    /// <summary>
    /// The names, official (or usual) first: each as the NEHR shows it (its text, else family then given names), and
    /// every way it is written for the name match (the text, and family with given names in both orders, so "Tan" +
    /// "Mei Ling" also gives "Mei Ling Tan").
    /// </summary>
    internal static List<(string Display, List<string> Forms)> Names(List<HumanName> humanNames)
    {
        var names = new List<(string, List<string>)>();
        foreach (var name in humanNames.OrderBy(n => n.Use switch
                 {
                     HumanName.NameUse.Official => 0,
                     HumanName.NameUse.Usual => 1,
                     null => 2,
                     HumanName.NameUse.Old or HumanName.NameUse.Maiden => 4,
                     _ => 3,
                 }))
        {
            var given = string.Join(" ", name.Given.Where(g => !string.IsNullOrWhiteSpace(g)).Select(g => g!.Trim()));
            var family = name.Family?.Trim() ?? string.Empty;
            var forms = new[] { name.Text?.Trim(), $"{family} {given}".Trim(), $"{given} {family}".Trim() }
                .Where(f => !string.IsNullOrWhiteSpace(f)).Select(f => f!).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (forms.Count > 0 && !names.Any(n => string.Equals(n.Item1, forms[0], StringComparison.OrdinalIgnoreCase)))
            {
                names.Add((forms[0], forms));
            }
        }

        return names;
    }

    /// <summary>The register's parents of the person: each a valid NRIC/FIN that is not the person's own. A bad one refuses the Patient.</summary>
    private static List<Nric> Parents(FhirPatient patient, string at, List<Nric> own, List<ContributionIssue> issues)
    {
        var parents = new List<Nric>();
        for (var i = 0; i < patient.Extension.Count; i++)
        {
            var extension = patient.Extension[i];
            if (extension.Url != FhirBundleReader.ParentExtension)
            {
                continue;
            }

            if (extension.Value is not Identifier { System: FhirBundleReader.NricSystem } identifier)
            {
                issues.Add(new(IssueKind.Invalid, $"{at}.extension[{i}]", $"A parent link needs valueIdentifier with system {FhirBundleReader.NricSystem} (the parent's NRIC/FIN)."));
            }
            else if (!Nric.TryParse(identifier.Value, out var parent, out var error))
            {
                issues.Add(new(IssueKind.Invalid, $"{at}.extension[{i}].valueIdentifier", $"Invalid parent NRIC/FIN: {error}"));
            }
            else if (own.Contains(parent))
            {
                issues.Add(new(IssueKind.BusinessRule, $"{at}.extension[{i}].valueIdentifier", "A person cannot be their own parent."));
            }
            else if (!parents.Contains(parent))
            {
                parents.Add(parent);
            }
        }

        return parents;
    }

    private static Race? Race(FhirPatient patient, string at, List<ContributionIssue> issues)
    {
        var extension = patient.GetExtension(FhirBundleReader.RaceExtension);
        if (extension is null)
        {
            return null;
        }

        var code = extension.Value switch
        {
            Code c => c.Value,
            Coding c => c.Code,
            CodeableConcept c => c.Coding.FirstOrDefault()?.Code ?? c.Text,
            FhirString s => s.Value,
            _ => null,
        };
        Race? race = code?.Trim().ToUpperInvariant() switch
        {
            "CHINESE" or "C" => Records.Race.Chinese,
            "MALAY" or "M" => Records.Race.Malay,
            "INDIAN" or "I" => Records.Race.Indian,
            "OTHERS" or "OTHER" or "O" => Records.Race.Others,
            _ => null,
        };
        if (race is null)
        {
            issues.Add(new(IssueKind.Invalid, $"{at}.extension", $"The race extension's value must be Chinese, Malay, Indian or Others."));
        }

        return race;
    }

    private static (bool Deceased, DateOnly? On) Death(DataType? deceased, string at, List<ContributionIssue> issues)
    {
        switch (deceased)
        {
            case null:
                return (false, null);
            case FhirBoolean b:
                return (b.Value == true, null);
            case FhirDateTime { Value.Length: >= 10 } d when DateOnly.TryParseExact(d.Value[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day):
                // The day of death as the register wrote it (its own calendar day, whatever the offset).
                return (true, day);
            case FhirDateTime:
                issues.Add(new(IssueKind.Invalid, $"{at}.deceasedDateTime", "deceasedDateTime needs a real calendar date with year, month and day."));
                return (false, null);
            default:
                issues.Add(new(IssueKind.Invalid, $"{at}.deceased[x]", "deceased[x] must be a boolean or a date/time."));
                return (false, null);
        }
    }
}
