using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Nehr.Core.Access;
using Nehr.Core.Administration;
using Nehr.Core.Audit;
using Nehr.Core.Records;
using Nehr.Core.Representatives;
using Nehr.Portal.Components.Pages.Patient;
using Nehr.Portal.Components.Patient;
using Nehr.Portal.Components.Record;
using Nehr.Portal.Components.Shared;

namespace Nehr.Portal.Tests;

/// <summary>
/// Every patient-facing string is in all four languages: each text the patient pages ask the localizer for (the
/// English text is the key) has a Chinese, a Malay and a Tamil translation, and the built portal finds them.
/// </summary>
public partial class PatientTextTests
{

    [GeneratedRegex("""L\[(?:[^\[\]"]*\? )?"((?:[^"\\]|\\.)*)"(?: : "((?:[^"\\]|\\.)*)")?""")]
    private static partial Regex LocalizedLiteral();

    /// <summary>The texts of the pages' components, and the texts the pages look up through a helper.</summary>
    private static IEnumerable<string> Keys()
    {
        var components = Path.Combine(MudClassTests.RepositoryRoot(), "Nehr.Portal", "Components");
        // The development stand-in for Singpass is read by the person signing in too, in the language they chose.
        var standIn = Path.Combine(MudClassTests.RepositoryRoot(), "Nehr.Portal", "Hosting", "NationalIdentity", "DevelopmentIdentityProvider.cs");
        foreach (var file in Directory.EnumerateFiles(components, "*.razor", SearchOption.AllDirectories).Append(standIn))
        {
            foreach (Match m in LocalizedLiteral().Matches(File.ReadAllText(file)))
            {
                yield return Regex.Unescape(m.Groups[1].Value);
                if (m.Groups[2].Success)
                {
                    yield return Regex.Unescape(m.Groups[2].Value);
                }
            }
        }

        AccessVisit Visit(AuditOutcome outcome, AccessLevel? level, bool isOverride) =>
            new(1, default, default, default, null, null, null, [], false, [], level, isOverride, outcome, null, null, 1);
        foreach (var visit in new[] { Visit(AuditOutcome.Denied, null, false), Visit(AuditOutcome.Success, AccessLevel.Full, true),
                     Visit(AuditOutcome.Success, AccessLevel.BasicSetOnly, false), Visit(AuditOutcome.Success, AccessLevel.Full, false) })
        {
            yield return VisitText.Level(visit);
        }

        foreach (var reason in Enum.GetNames<DecisionReason>().Append(null))
        {
            yield return VisitText.Refusal(reason);
        }

        foreach (var code in new[] { "TREAT", "ETREAT", "BTG", "HPAYMT", "COVERAGE", "EMPLOY", "ANYTHING" })
        {
            yield return VisitText.Purpose(code);
        }

        foreach (var kind in Enum.GetValues<EntryKind>())
        {
            yield return VisitText.Section(kind);
        }

        foreach (var status in Enum.GetValues<ReportStatus>())
        {
            yield return VisitText.ReportStatus(status);
            yield return VisitText.RegistrationReportStatus(status);
        }

        foreach (var mode in Enum.GetValues<RestrictionMode>())
        {
            yield return RestrictionText.Title(mode);
            yield return RestrictionText.Explanation(mode);
            yield return RestrictionText.Summary(mode);
            yield return RestrictionText.InBrief(mode);
        }

        foreach (var (_, text) in VisitText.LevelChoices)
        {
            yield return text;
        }

        foreach (var text in VisitText.Powers(RepresentativePowers.None).Concat(VisitText.PowerNames.Select(p => p.Text)))
        {
            yield return text;
        }

        foreach (var kind in Enum.GetValues<RepresentationKind>())
        {
            yield return Representation.Display(kind);
        }

        foreach (var type in new[] { AuditEventTypes.RecordRead, AuditEventTypes.RecordExported, AuditEventTypes.RepresentativeRead, AuditEventTypes.RestrictionChanged,
                     AuditEventTypes.AccessReported, AuditEventTypes.RepresentationAccepted, AuditEventTypes.RepresentationDeclined,
                     AuditEventTypes.RepresentationEnded, AuditEventTypes.ActionRefused })
        {
            yield return new RepresentativeActivity(1, default, "", null, type, AuditOutcome.Success).What;
        }

        foreach (var role in Enum.GetNames<ProfessionalRole>().Append(null))
        {
            yield return VisitText.Role(role);
        }

        foreach (var race in Enum.GetValues<Race>())
        {
            yield return DemographicsText.Race(race);
            yield return DemographicsText.RaceInLine(race);
        }

        foreach (var sex in Enum.GetNames<Sex>())
        {
            yield return sex;
        }

        yield return RegistrationText.Until(RegistrationSource.Encounter, null);
        yield return RegistrationText.Until(RegistrationSource.Administrator, null);
        foreach (var text in Caregivers.DoneTexts.Values)
        {
            yield return text;
        }
    }

    private static readonly Translations Texts = new("Nehr.Portal/Resources", "PatientText");

    [Fact]
    public void Every_patient_facing_text_has_all_four_languages()
    {
        var keys = Keys().Distinct().ToList();
        Assert.True(keys.Count > 200, $"only {keys.Count} texts found: the scan of the pages broke");
        Texts.AssertComplete(keys);
    }

    [Fact]
    public void A_translation_keeps_the_placeholders_of_its_text() => Texts.AssertPlaceholdersKept();

    [Theory]
    [InlineData("zh", "我的记录")]
    [InlineData("ms", "Rekod saya")]
    [InlineData("ta", "என் பதிவு")]
    [InlineData("en", "My record")]
    public void The_built_portal_finds_each_language(string language, string myRecord) =>
        Assert.Equal(myRecord, Translations.Localized(typeof(PatientText), language, "My record"));
}
