using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Nehr.Core;
using Nehr.Core.Access;
using Nehr.Core.Administration;
using Nehr.Core.Notifications;
using Nehr.Core.Records;
using Nehr.Core.Representatives;

namespace Nehr.Portal.Tests;

/// <summary>
/// What Nehr.Core writes for patients — notices, the e-mails that carry them, refusals shown on the patient pages — is
/// in all four languages (Nehr.Core/Resources/PatientWords.*.resx, the English text the key), each translation keeps its
/// text's placeholders, and the portal's localizer finds them.
/// </summary>
public partial class CoreTextTests
{

    /// <summary>A text literal Core gives a patient: a message's key, or a phrase translated inside one.</summary>
    [GeneratedRegex(@"(?:new PatientMessage|MessageArgument\.Phrase)\(\s*""((?:[^""\\]|\\.)*)""")]
    private static partial Regex CoreLiteral();

    private static IEnumerable<string> Literals()
    {
        var core = Path.Combine(MudClassTests.RepositoryRoot(), "Nehr.Core");
        foreach (var file in Directory.EnumerateFiles(core, "*.cs", SearchOption.AllDirectories)
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                         && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            foreach (Match m in CoreLiteral().Matches(File.ReadAllText(file)))
            {
                yield return Regex.Unescape(m.Groups[1].Value);
            }
        }
    }

    /// <summary>Every text: the literals, and the phrases Core composes from its enumerations.</summary>
    public static IEnumerable<string> Keys()
    {
        foreach (var literal in Literals())
        {
            yield return literal;
        }

        foreach (var role in Enum.GetValues<ProfessionalRole>())
        {
            yield return ProfessionalRoles.Display(role).ToLowerInvariant();
        }

        foreach (var reason in Enum.GetValues<OverrideReason>())
        {
            yield return EmergencyOverrideService.ReasonText(reason).ToLowerInvariant();
        }

        foreach (var kind in Enum.GetValues<RepresentationKind>())
        {
            yield return Representation.Display(kind).ToLowerInvariant();
        }

        foreach (var text in Representation.PowerTexts(RepresentativePowers.All).Concat(Representation.PowerTexts(RepresentativePowers.None))
                     .Concat(Representation.PortalEndReasons).Concat(PatientNotifier.EmailTexts))
        {
            yield return text;
        }

        yield return RepresentationService.InvitationExpired;
        yield return RepresentationService.NameNotYetShown;
        yield return RepresentationService.SomeoneNotRepresented;
        yield return LocalTime.ZoneName;

        // The NRIC/FIN's own errors, shown on the invitation form (the check letter's names the number typed, and stays in English).
        foreach (var typed in new[] { "", "S123", "A1234567D", "S12A4567D" })
        {
            Assert.False(Nric.TryParse(typed, out _, out var error));
            yield return error;
        }
    }

    private static readonly Translations Texts = new("Nehr.Core/Resources", "PatientWords");

    [Fact]
    public void Every_text_Core_writes_for_patients_has_all_four_languages()
    {
        var keys = Keys().Distinct().ToList();
        Assert.True(Literals().Count() > 40, $"only {Literals().Count()} texts found in Nehr.Core: the scan broke");
        Texts.AssertComplete(keys);
    }

    [Fact]
    public void A_translation_of_a_Core_text_keeps_its_placeholders() => Texts.AssertPlaceholdersKept();

    [Theory]
    [InlineData("zh", "等待对方接受")]
    [InlineData("ms", "menunggu mereka menerima")]
    [InlineData("ta", "அவர் ஏற்றுக்கொள்வதற்காகக் காத்திருக்கிறது")]
    [InlineData("en", "waiting for them to accept")]
    public void The_portals_localizer_and_Core_find_each_language(string language, string waiting)
    {
        Assert.Equal(waiting, Translations.Localized(typeof(PatientWords), language, "waiting for them to accept"));
        Assert.Equal(waiting, PatientWords.Translate("waiting for them to accept", PatientWords.Culture(language)));
    }

    [Fact]
    public void A_message_renders_its_arguments_in_the_language_names_as_written_and_times_in_Singapore()
    {
        var text = new PatientMessage("A {0} at {1} used an emergency override to see your full record ({2}), from {3} until {4}. MOH reviews every emergency override.",
            MessageArgument.Phrase("doctor"), MessageArgument.Text("Central General Hospital"), MessageArgument.Phrase("unconscious patient"),
            MessageArgument.Moment(new DateTime(2026, 6, 4, 6, 5, 0, DateTimeKind.Utc)), MessageArgument.MomentNamed(new DateTime(2026, 6, 4, 10, 5, 0, DateTimeKind.Utc)));
        var stored = new PatientNotice(1, NoticeKind.EmergencyOverride, text, DateTime.UtcNow);

        Assert.Equal(
            "Seorang doktor di Central General Hospital menggunakan pengatasan kecemasan untuk melihat rekod penuh anda (pesakit tidak sedarkan diri), dari 4 Jun 2026, 14:05 hingga 4 Jun 2026, 18:05 (waktu Singapura). MOH menyemak setiap pengatasan kecemasan.",
            stored.Show(PatientWords.In(PatientWords.Culture("ms"))));
        Assert.Equal(
            "A doctor at Central General Hospital used an emergency override to see your full record (unconscious patient), from 4 Jun 2026, 14:05 until 4 Jun 2026, 18:05 (Singapore time). MOH reviews every emergency override.",
            stored.Message);
    }

    [Fact]
    public void A_notice_kept_in_English_only_shows_its_message_in_any_language()
    {
        var old = new PatientNotice(1, NoticeKind.ReportClosed, "MOH auditors looked into the access you reported and found it was part of your care.", DateTime.UtcNow);

        Assert.Null(old.TextKey);
        Assert.Equal(old.Message, old.Show(PatientWords.In(PatientWords.Culture("zh"))));
    }

    [Fact]
    public void A_translation_that_cannot_take_the_arguments_falls_back_to_English()
    {
        var text = new PatientMessage("{0} stopped acting for you in the NEHR.", MessageArgument.Text("Tan Mei Ling"));

        Assert.Equal("Tan Mei Ling stopped acting for you in the NEHR.", text.Render(_ => "{0} {3}"));
    }
}
