using AngleSharp.Dom;
using Nehr.Core.Access;
using Nehr.Core.Records;
using Nehr.Portal.Components.Record;

namespace Nehr.Portal.Tests;

/// <summary>What each kind of entry shows, what the source did not give, and withdrawn entries.</summary>
public class EntryTableContentTests : MudTestContext
{
    // 17:30 UTC on 23 Nov is 01:30 on 24 Nov in Singapore.
    private static readonly DateTime Occurred = new(2026, 11, 23, 17, 30, 0, DateTimeKind.Utc);

    private static EntrySource Source(string id, string? status = null) =>
        new(1, 7, 3, id, Occurred, Occurred.AddHours(2), status);

    private IRenderedComponent<EntryTable> RenderTable(EntryKind kind, params ClinicalEntry[] entries) =>
        Render<EntryTable>(p => p
            .Add(t => t.Page, new EntryPage(kind, 1, 20, entries.Length, entries))
            .Add(t => t.ProviderNames, new Dictionary<int, string> { [7] = "Central General Hospital" }));

    /// <summary>The cells of a row by the column headings (the kind's columns, then Date, Source, Contributed).</summary>
    private static Dictionary<string, IElement> Cells(IRenderedComponent<EntryTable> table, int row = 0)
    {
        var headings = table.FindAll("thead th").Select(h => h.TextContent.Trim()).ToList();
        var cells = table.FindAll("tbody tr")[row].Children.ToList();
        Assert.Equal(headings.Count, cells.Count);
        return headings.Zip(cells).ToDictionary(x => x.First, x => x.Second);
    }

    private static string Text(IElement cell) => string.Join(' ', cell.TextContent.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public void A_result_without_an_interpretation_reads_not_stated_and_never_normal()
    {
        var table = RenderTable(EntryKind.LabResult,
            new LabResultEntry(Source("LAB-1", "final"), "Potassium", "2823-3", "4.1", "mmol/L", 3.5m, 5.1m, AbnormalFlag.NotStated));

        var cells = Cells(table);
        Assert.Equal("Not stated", Text(cells["Interpretation"]));
        Assert.Equal("3.5–5.1 mmol/L", Text(cells["Reference range"]));
        Assert.DoesNotContain("Normal", table.Markup, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(table.FindAll("[data-testid=abnormal-flag]"));
    }

    [Fact]
    public void An_interpretation_outside_the_flags_shows_its_own_words_as_a_chip()
    {
        var table = RenderTable(EntryKind.LabResult,
            new LabResultEntry(Source("LAB-2"), "SARS-CoV-2 RNA", "94500-6", "Detected", null, null, null, AbnormalFlag.Other, "Detected"));

        var chip = table.Find("[data-testid=interpretation]");
        Assert.Contains("mud-chip", chip.ClassName, StringComparison.Ordinal);
        Assert.Equal("Detected", chip.TextContent.Trim());
        // A result in words has no unit to state; the missing range does.
        Assert.Equal("Detected", Text(Cells(table)["Result"]));
        Assert.Equal("Not stated", Text(Cells(table)["Reference range"]));
    }

    [Fact]
    public void What_the_source_did_not_give_reads_not_stated()
    {
        var allergy = RenderTable(EntryKind.Allergy,
            new AllergyEntry(Source("ALG-1"), "Penicillin", AllergyCategory.NotStated, AllergyCriticality.NotStated, null));
        var a = Cells(allergy);
        Assert.Equal("Penicillin", Text(a["Substance"]));
        foreach (var column in new[] { "Category", "Criticality", "Reaction", "Verification", "Clinical status" })
        {
            Assert.Equal("Not stated", Text(a[column]));
        }

        var lab = Cells(RenderTable(EntryKind.LabResult,
            new LabResultEntry(Source("LAB-3"), "Glucose", null, "5.4", null, null, null, AbnormalFlag.NotStated)));
        Assert.Equal("5.4 unit not stated", Text(lab["Result"]));
        Assert.Equal("Not stated", Text(lab["Reference range"]));
        Assert.Equal("Not stated", Text(lab["Status"]));

        var vaccination = Cells(RenderTable(EntryKind.Vaccination, new VaccinationEntry(Source("VAC-1"), "Influenza", null)));
        Assert.Equal("Not stated", Text(vaccination["Dose"]));

        var medication = Cells(RenderTable(EntryKind.Medication, new MedicationEntry(Source("MED-1"), "Metformin 500 mg", null, MedicationStatus.Dispensed)));
        Assert.Equal("Not stated", Text(medication["Dosage"]));
        Assert.Equal("Dispensed", Text(medication["Record"]));

        var diagnosis = Cells(RenderTable(EntryKind.Diagnosis, new DiagnosisEntry(Source("DX-1"), null, "Asthma", DiagnosisStatus.NotStated)));
        Assert.Equal("Not stated", Text(diagnosis["Clinical status"]));
        Assert.Equal("Not stated", Text(diagnosis["Verification"]));
    }

    [Fact]
    public void What_the_source_gave_is_shown_as_given()
    {
        var allergy = Cells(RenderTable(EntryKind.Allergy,
            new AllergyEntry(Source("ALG-2", "active"), "Peanut", AllergyCategory.Food, AllergyCriticality.High, "Anaphylaxis", "confirmed")));
        Assert.Equal("Food", Text(allergy["Category"]));
        Assert.Equal("High criticality", Text(allergy["Criticality"]));
        Assert.Equal("Confirmed", Text(allergy["Verification"]));
        Assert.Equal("Active", Text(allergy["Clinical status"]));

        var lab = Cells(RenderTable(EntryKind.LabResult,
            new LabResultEntry(Source("LAB-4", "preliminary"), "Troponin I", null, "0.9", "ng/mL", null, 0.04m, AbnormalFlag.CriticalHigh, null, "< 0.04 ng/mL")));
        // The source's words ("< 0.04", a strict bound), not the bound re-worded from its number ("≤ 0.04").
        Assert.Equal("< 0.04 ng/mL", Text(lab["Reference range"]));
        Assert.Equal("Preliminary", Text(lab["Status"]));
        Assert.Equal("HH critical high", Text(lab["Interpretation"]));

        // A clinical status code this portal has no words for is the source's, not "not stated".
        var diagnosis = Cells(RenderTable(EntryKind.Diagnosis,
            new DiagnosisEntry(Source("DX-2", "unknown-code"), "J45", "Asthma", DiagnosisStatus.NotStated, "provisional")));
        Assert.Equal("unknown-code", Text(diagnosis["Clinical status"]));
        Assert.Equal("Provisional", Text(diagnosis["Verification"]));
    }

    [Fact]
    public void Radiology_results_show_the_examination_conclusion_status_and_the_whole_report_folded()
    {
        var report = "XR Chest 2 views. Comparison: none. " + new string('x', 3000) + " Impression: no acute abnormality.";
        var table = RenderTable(EntryKind.RadiologyResult,
            new RadiologyResultEntry(Source("RAD-1", "final"), "XR Chest 2 views", "36643-5", "No acute cardiopulmonary abnormality.", report));

        Assert.Equal(["Examination", "Conclusion", "Report", "Status", "Date", "Source", "Contributed"],
            table.FindAll("thead th").Select(h => h.TextContent.Trim()));
        var cells = Cells(table);
        Assert.Equal("XR Chest 2 views (36643-5)", Text(cells["Examination"]));
        Assert.Equal("No acute cardiopulmonary abnormality.", Text(cells["Conclusion"]));
        Assert.Equal("Final", Text(cells["Status"]));
        var details = table.Find("[data-testid=report]");
        Assert.Equal("DETAILS", details.TagName);
        Assert.False(details.HasAttribute("open"));
        Assert.Equal("Show the report", details.QuerySelector("summary")!.TextContent.Trim());
        Assert.Contains(report, details.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Procedures_show_code_body_site_reason_outcome_status_and_end()
    {
        var table = RenderTable(EntryKind.Procedure,
            new ProcedureEntry(Source("PROC-1", "completed"), "Appendicectomy", "80146002", Occurred.AddHours(1), "Appendix", "Acute appendicitis", "Uneventful"));

        Assert.Equal(["Procedure", "Code", "Body site", "Reason", "Outcome", "Status", "Ended", "Date", "Source", "Contributed"],
            table.FindAll("thead th").Select(h => h.TextContent.Trim()));
        var cells = Cells(table);
        Assert.Equal("Appendicectomy", Text(cells["Procedure"]));
        Assert.Equal("80146002", Text(cells["Code"]));
        Assert.Equal("Appendix", Text(cells["Body site"]));
        Assert.Equal("Acute appendicitis", Text(cells["Reason"]));
        Assert.Equal("Uneventful", Text(cells["Outcome"]));
        Assert.Equal("Completed", Text(cells["Status"]));
        Assert.Equal("24 Nov 2026", Text(cells["Ended"]));
    }

    [Fact]
    public void Visits_show_type_class_end_reason_organisation_discharge_and_status()
    {
        var table = RenderTable(EntryKind.Visit,
            new VisitEntry(Source("ENC-1", "in-progress"), "Inpatient admission", "Inpatient", null, "Chest pain", "Central General Hospital", null),
            new VisitEntry(Source("ENC-2", "finished"), "Emergency department attendance", "Emergency", Occurred.AddDays(3), null, null, "Discharged home"));

        Assert.Equal(["Type", "Class", "Ended", "Reason", "Served by", "Discharge", "Status", "Date", "Source", "Contributed"],
            table.FindAll("thead th").Select(h => h.TextContent.Trim()));
        var open = Cells(table, 0);
        Assert.Equal("Inpatient admission", Text(open["Type"]));
        Assert.Equal("Inpatient", Text(open["Class"]));
        Assert.Equal("Under way", Text(open["Ended"]));
        Assert.Equal("Chest pain", Text(open["Reason"]));
        Assert.Equal("Central General Hospital", Text(open["Served by"]));
        Assert.Equal("Not stated", Text(open["Discharge"]));
        Assert.Equal("In progress", Text(open["Status"]));
        var ended = Cells(table, 1);
        Assert.Equal("27 Nov 2026", Text(ended["Ended"]));
        Assert.Equal("Finished", Text(ended["Status"]));
        Assert.Equal("Discharged home", Text(ended["Discharge"]));
        Assert.Equal("Not stated", Text(ended["Reason"]));
    }

    [Fact]
    public void Summaries_keep_their_type_and_text_and_show_the_status()
    {
        var table = RenderTable(EntryKind.Summary,
            new SummaryEntry(Source("DOC-1", "final"), SummaryType.Discharge, "Discharge summary", "Admitted with chest pain; discharged well."));

        var cells = Cells(table);
        Assert.Equal("Discharge", Text(cells["Type"]));
        Assert.Equal("Discharge summary", cells["Summary"].QuerySelector("strong")!.TextContent);
        Assert.EndsWith("Admitted with chest pain; discharged well.", cells["Summary"].TextContent, StringComparison.Ordinal);
        Assert.Equal("Final", Text(cells["Status"]));
    }

    [Fact]
    public void Dates_are_shown_in_singapore_time()
    {
        var cells = Cells(RenderTable(EntryKind.Vaccination, new VaccinationEntry(Source("VAC-2"), "Influenza", 1)));

        Assert.Equal("24 Nov 2026", Text(cells["Date"]));
        Assert.Equal("24 Nov 2026", Text(cells["Contributed"]));
        Assert.Equal("Central General Hospital", Text(cells["Source"]));
    }

    [Fact]
    public void A_withdrawn_entry_is_struck_through_and_labelled_in_words()
    {
        var withdrawn = new MedicationEntry(Source("MED-2"), "Warfarin 5 mg", "once daily", MedicationStatus.Prescribed);
        withdrawn.Withdraw(Occurred.AddDays(2));
        var current = new MedicationEntry(Source("MED-3"), "Metformin 500 mg", "twice daily", MedicationStatus.Prescribed);

        var table = RenderTable(EntryKind.Medication, withdrawn, current);

        var rows = table.FindAll("tbody tr");
        Assert.Equal("withdrawn-entry", rows[0].GetAttribute("data-testid"));
        Assert.Equal("S", rows[0].QuerySelector("[data-testid=withdrawn-text]")!.TagName);
        Assert.Equal("Warfarin 5 mg", rows[0].QuerySelector("[data-testid=withdrawn-text]")!.TextContent.Trim());
        Assert.Equal("Withdrawn by the source (entered in error) on 26 Nov 2026", Text(rows[0].QuerySelector("[data-testid=withdrawn-label]")!));
        Assert.Null(rows[1].QuerySelector("[data-testid=withdrawn-label]"));
        Assert.Null(rows[1].QuerySelector("s"));
    }

    [Theory]
    [InlineData(EntryKind.RadiologyResult, "Radiology results")]
    [InlineData(EntryKind.Procedure, "Procedures")]
    [InlineData(EntryKind.Visit, "Visits")]
    [InlineData(EntryKind.Summary, "Summaries and notes")]
    public void Each_kind_has_its_name(EntryKind kind, string expected)
    {
        Assert.Equal(expected, EntryTable.KindText(kind));
        var table = RenderTable(kind);
        Assert.Equal($"No {expected.ToLowerInvariant()} recorded.", table.Find($"[data-testid=empty-{kind}]").TextContent.Trim());
    }
}

public class AllergyPanelTests : MudTestContext
{
    private static readonly DateTime Occurred = new(2026, 11, 20, 8, 0, 0, DateTimeKind.Utc);

    private static AllergyEntry Allergy(string substance, AllergyCriticality criticality = AllergyCriticality.High, bool withdrawn = false)
    {
        var allergy = new AllergyEntry(new EntrySource(1, 7, 3, $"ALG-{substance}", Occurred, Occurred.AddHours(1)),
            substance, AllergyCategory.Medication, criticality, "Rash");
        if (withdrawn)
        {
            allergy.Withdraw(Occurred.AddDays(1));
        }

        return allergy;
    }

    private IRenderedComponent<AllergyPanel> RenderPanel(int total, params AllergyEntry[] allergies) =>
        Render<AllergyPanel>(p => p.Add(a => a.Page, new EntryPage(EntryKind.Allergy, 1, 20, total, allergies)));

    [Fact]
    public void A_withdrawn_allergy_is_never_listed()
    {
        var panel = RenderPanel(2, Allergy("Penicillin", withdrawn: true), Allergy("Aspirin"));

        var items = panel.FindAll("li").Select(li => li.TextContent).ToList();
        Assert.Single(items);
        Assert.StartsWith("Aspirin", items[0], StringComparison.Ordinal);
        Assert.DoesNotContain("Penicillin", panel.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_withdrawn_allergies_leave_no_known_allergy()
    {
        var panel = RenderPanel(1, Allergy("Penicillin", withdrawn: true));

        Assert.Contains("No known allergies recorded", panel.Markup, StringComparison.Ordinal);
        Assert.Empty(panel.FindAll("li"));
        Assert.DoesNotContain("Penicillin", panel.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void An_allergy_beyond_the_first_page_is_not_declared_absent()
    {
        var panel = RenderPanel(21, Allergy("Penicillin", withdrawn: true));

        Assert.DoesNotContain("No known allergies", panel.Markup, StringComparison.Ordinal);
        Assert.Contains("21 entries in all", panel.Markup, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AllergyCriticality.NotStated, "Criticality not stated")]
    [InlineData(AllergyCriticality.High, "High criticality")]
    [InlineData(AllergyCriticality.UnableToAssess, "Unable to assess criticality")]
    public void Criticality_is_in_words(AllergyCriticality criticality, string expected)
    {
        var panel = RenderPanel(1, Allergy("Aspirin", criticality));

        Assert.Equal($"Aspirin – Rash ({expected})", panel.Find("li").TextContent.Trim());
    }
}
