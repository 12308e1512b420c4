using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using AngleSharp.Dom;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Nehr.Core.Access;
using Nehr.Core.Records;
using Nehr.Portal.Components.Record;

namespace Nehr.Portal.Tests;

/// <summary>
/// The record's words (EntryTable, AllergyPanel: headings, labels, codes in words) in all four languages for the
/// patient's own view (<see cref="RecordText"/>), with their placeholders; the clinician's record stays English.
/// </summary>
public partial class RecordTextTests : MudTestContext
{

    /// <summary>A literal the components put in the reader's language: <c>T("...")</c>.</summary>
    [GeneratedRegex("""\bT\("((?:[^"\\]|\\.)*)"(?:,|\))""")]
    private static partial Regex TranslatedLiteral();

    private static IEnumerable<string> Keys()
    {
        foreach (var kind in Enum.GetValues<EntryKind>())
        {
            yield return EntryTable.KindText(kind);
            yield return EntryTable.EmptyText(kind);
            foreach (var heading in EntryTable.Headings(kind))
            {
                yield return heading;
            }
        }

        foreach (var word in EntryTable.Words().Concat(AllergyPanel.Words()))
        {
            yield return word;
        }

        var record = Path.Combine(MudClassTests.RepositoryRoot(), "Nehr.Portal", "Components", "Record");
        foreach (var file in new[] { "EntryTable.razor", "AllergyPanel.razor" })
        {
            foreach (Match m in TranslatedLiteral().Matches(File.ReadAllText(Path.Combine(record, file))))
            {
                yield return Regex.Unescape(m.Groups[1].Value);
            }
        }
    }

    private static readonly Translations Texts = new("Nehr.Portal/Resources", "RecordText");

    [Fact]
    public void Every_text_of_the_record_has_all_four_languages()
    {
        var keys = Keys().Distinct().ToList();
        Assert.True(keys.Count > 100, $"only {keys.Count} texts found: the list of the record's words broke");
        Texts.AssertComplete(keys, refuseUnused: true);
    }

    [Fact]
    public void A_translation_keeps_the_placeholders_of_its_text() => Texts.AssertPlaceholdersKept();

    [Theory]
    [InlineData("zh", "致敏物质")]
    [InlineData("ms", "Bahan")]
    [InlineData("ta", "பொருள்")]
    [InlineData("en", "Substance")]
    public void The_built_portal_finds_each_language(string language, string substance) =>
        Assert.Equal(substance, Translations.Localized(typeof(RecordText), language, "Substance"));

    private static readonly DateTime Occurred = new(2026, 11, 23, 17, 30, 0, DateTimeKind.Utc);

    private static EntrySource Source(string id, string? status = null) => new(1, 7, 3, id, Occurred, Occurred.AddHours(2), status);

    private static ClinicalEntry Withdrawn(ClinicalEntry entry)
    {
        entry.Withdraw(Occurred.AddDays(2));
        return entry;
    }

    /// <summary>Two entries of each kind: one with every fact given, one withdrawn or with facts missing.</summary>
    public static TheoryData<EntryKind> Kinds() => new(Enum.GetValues<EntryKind>());

    private static ClinicalEntry[] Entries(EntryKind kind) => kind switch
    {
        EntryKind.Allergy =>
        [
            new AllergyEntry(Source("ALG-1", "active"), "Peanut", AllergyCategory.Food, AllergyCriticality.High, "Anaphylaxis", "confirmed"),
            Withdrawn(new AllergyEntry(Source("ALG-2"), "Penicillin", AllergyCategory.NotStated, AllergyCriticality.NotStated, null)),
        ],
        EntryKind.Vaccination => [new VaccinationEntry(Source("VAC-1", "completed"), "Influenza", 1), new VaccinationEntry(Source("VAC-2"), "MMR", null)],
        EntryKind.Medication =>
        [
            new MedicationEntry(Source("MED-1", "active"), "Metformin 500 mg", "twice daily", MedicationStatus.Prescribed),
            Withdrawn(new MedicationEntry(Source("MED-2"), "Warfarin 5 mg", null, MedicationStatus.Dispensed)),
        ],
        EntryKind.LabResult =>
        [
            new LabResultEntry(Source("LAB-1", "final"), "Troponin I", "10839-9", "0.9", "ng/mL", null, 0.04m, AbnormalFlag.CriticalHigh, null, "< 0.04 ng/mL"),
            new LabResultEntry(Source("LAB-2"), "Glucose", null, "5.4", null, null, null, AbnormalFlag.NotStated),
        ],
        EntryKind.RadiologyResult =>
        [
            new RadiologyResultEntry(Source("RAD-1", "final"), "XR Chest 2 views", "36643-5", "No acute cardiopulmonary abnormality.", "Report text."),
            new RadiologyResultEntry(Source("RAD-2", "cancelled"), "CT Head", null, "Study not performed.", null),
        ],
        EntryKind.Diagnosis =>
        [
            new DiagnosisEntry(Source("DX-1", "active"), "J45", "Asthma", DiagnosisStatus.Active, "confirmed"),
            new DiagnosisEntry(Source("DX-2", "unknown-code"), null, "Gout", DiagnosisStatus.NotStated),
        ],
        EntryKind.Procedure =>
        [
            new ProcedureEntry(Source("PROC-1", "completed"), "Appendicectomy", "80146002", Occurred.AddHours(1), "Appendix", "Acute appendicitis", "Uneventful"),
            new ProcedureEntry(Source("PROC-2"), "Colonoscopy", null, null, null, null, null),
        ],
        EntryKind.Visit =>
        [
            new VisitEntry(Source("ENC-1", "in-progress"), "Inpatient admission", "Inpatient", null, "Chest pain", "Central General Hospital", null),
            new VisitEntry(Source("ENC-2", "finished"), "Emergency department attendance", "Emergency", Occurred.AddDays(3), null, null, "Discharged home"),
        ],
        _ =>
        [
            new SummaryEntry(Source("DOC-1", "final"), SummaryType.Discharge, "Discharge summary", "Admitted with chest pain; discharged well."),
            new SummaryEntry(Source("DOC-2"), SummaryType.Visit, "Clinic letter", "Review in 3 months."),
        ],
    };

    private IRenderedComponent<EntryTable> RenderTable(EntryKind kind, bool forPatient) =>
        Render<EntryTable>(p => p
            .Add(t => t.Page, new EntryPage(kind, 1, 20, 2, Entries(kind)))
            .Add(t => t.ProviderNames, new Dictionary<int, string> { [7] = "Central General Hospital" })
            .Add(t => t.ForPatient, forPatient));

    private static string Text(IElement element) => string.Join(' ', element.TextContent.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Each_card_of_the_patients_view_has_the_same_facts_as_its_table_row(EntryKind kind)
    {
        var table = RenderTable(kind, forPatient: true);

        var headings = table.FindAll("thead th").Select(Text).ToList();
        var rows = table.FindAll("tbody tr");
        var cards = table.FindAll("[data-testid=" + $"cards-{kind}" + "] > li");
        Assert.Equal(rows.Count, cards.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(headings, cards[i].QuerySelectorAll("dt").Select(Text));
            Assert.Equal(rows[i].QuerySelectorAll("td").Select(Text), cards[i].QuerySelectorAll("dd").Select(Text));
            // A withdrawn entry is marked on its card as on its row.
            Assert.Equal(rows[i].GetAttribute("data-testid") + "-card", cards[i].GetAttribute("data-testid"));
        }
    }

    [Fact]
    public void The_clinicians_table_has_no_cards()
    {
        var table = RenderTable(EntryKind.Allergy, forPatient: false);

        Assert.Empty(table.FindAll("[data-testid=cards-Allergy]"));
        Assert.Single(table.FindAll("[data-testid=table-Allergy]"));
    }

    [Fact]
    public void The_patients_record_in_Malay_has_Malay_headings_and_words_and_the_clinical_content_as_contributed()
    {
        using var _ = new UiCulture("ms");

        var table = RenderTable(EntryKind.Allergy, forPatient: true);

        Assert.Equal(["Bahan", "Kategori", "Tahap kritikal", "Reaksi", "Pengesahan", "Status klinikal", "Tarikh", "Sumber", "Diserahkan"],
            table.FindAll("thead th").Select(Text));
        var card = table.FindAll("[data-testid=cards-Allergy] > li")[0];
        Assert.Equal("Bahan", Text(card.QuerySelector("dt")!));
        var facts = card.QuerySelectorAll("dd").Select(Text).ToList();
        Assert.Equal(["Peanut", "Makanan", "Tahap kritikal tinggi", "Anaphylaxis", "Disahkan", "Aktif", "24 Nov 2026", "Central General Hospital", "24 Nov 2026"], facts);
        var withdrawn = table.FindAll("[data-testid=cards-Allergy] > li")[1];
        Assert.Equal("Ditarik balik oleh sumber (dimasukkan secara silap) pada 26 Nov 2026", Text(withdrawn.QuerySelector("[data-testid=withdrawn-label]")!));
        Assert.Contains("Tidak dinyatakan", Text(withdrawn), StringComparison.Ordinal);

        var empty = Render<EntryTable>(p => p.Add(t => t.Page, new EntryPage(EntryKind.Diagnosis, 1, 20, 0, [])).Add(t => t.ForPatient, true));
        Assert.Equal("Tiada diagnosis direkodkan.", Text(empty.Find("[data-testid=empty-Diagnosis]")));
    }

    [Fact]
    public void The_allergy_panel_is_in_the_patients_language_and_english_for_a_clinician()
    {
        using var _ = new UiCulture("ms");
        var page = new EntryPage(EntryKind.Allergy, 1, 20, 2, Entries(EntryKind.Allergy));

        var patient = Render<AllergyPanel>(p => p.Add(a => a.Page, page).Add(a => a.ForPatient, true));
        var clinician = Render<AllergyPanel>(p => p.Add(a => a.Page, page));

        Assert.Equal("Alahan dan reaksi buruk", Text(patient.Find("h2")));
        Assert.Equal("Peanut – Anaphylaxis (Tahap kritikal tinggi)", Text(patient.Find("li")));
        Assert.Equal("Allergies and adverse reactions", Text(clinician.Find("h2")));
        Assert.Equal("Peanut – Anaphylaxis (High criticality)", Text(clinician.Find("li")));
    }

    [Fact]
    public void The_clinicians_record_stays_english_whatever_the_browsers_language()
    {
        using var _ = new UiCulture("ms");

        var table = RenderTable(EntryKind.LabResult, forPatient: false);

        Assert.Equal(["Test", "Result", "Reference range", "Interpretation", "Status", "Date", "Source", "Contributed"], table.FindAll("thead th").Select(Text));
        Assert.Contains("unit not stated", table.Markup, StringComparison.Ordinal);
        Assert.Contains("HH critical high", table.Markup, StringComparison.Ordinal);
    }

    /// <summary>The UI culture of this thread for a test's render, restored after.</summary>
    private sealed class UiCulture : IDisposable
    {
        private readonly CultureInfo _before = CultureInfo.CurrentUICulture;

        public UiCulture(string language) => CultureInfo.CurrentUICulture = new CultureInfo(language);

        public void Dispose() => CultureInfo.CurrentUICulture = _before;
    }
}
