using Nehr.Core.Access;
using Nehr.Core.Audit;
using Nehr.Portal.Components.Patient;
using Nehr.Portal.Hosting;

namespace Nehr.Portal.Tests;

public class AccessSettingsFormTests : MudTestContext
{
    private static readonly ProviderChoice Hospital = new(1, "CGH01", "Central General Hospital", "PublicHospital");
    private static readonly ProviderChoice Polyclinic = new(2, "NSP01", "Northside Polyclinic", "Polyclinic");

    private static RestrictionSettings Settings(RestrictionMode mode, params ProviderChoice[] allowed) => new(mode, 3, allowed, []);

    private IRenderedComponent<AccessSettingsForm> RenderForm(RestrictionSettings settings, Action<(RestrictionMode, IReadOnlyList<ProviderChoice>)>? save = null) =>
        Render<AccessSettingsForm>(p => p
            .Add(f => f.Settings, settings)
            .Add(f => f.Search, _ => Task.FromResult<IReadOnlyList<ProviderChoice>>([Hospital, Polyclinic]))
            .Add(f => f.Save, choice => save?.Invoke(choice)));

    [Fact]
    public void Every_mode_is_explained_with_what_stays_true_whatever_is_chosen()
    {
        var form = RenderForm(Settings(RestrictionMode.None));

        foreach (var mode in Enum.GetValues<RestrictionMode>())
        {
            Assert.Contains(AccessSettingsForm.Explanation(mode), form.Markup, StringComparison.Ordinal);
        }

        Assert.Contains("still sees your basic set", form.Markup, StringComparison.Ordinal);
        Assert.Contains("every override is", form.Markup, StringComparison.Ordinal);
        Assert.Contains("nothing is", form.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Save_is_off_until_something_changes()
    {
        var form = RenderForm(Settings(RestrictionMode.None));

        var save = form.FindAll("button").Single(b => b.TextContent.Contains("Save my choice", StringComparison.Ordinal));
        Assert.True(save.HasAttribute("disabled"));
    }

    [Fact]
    public void Selected_providers_show_as_chips_and_can_be_removed_before_saving()
    {
        (RestrictionMode Mode, IReadOnlyList<ProviderChoice> Providers)? saved = null;
        var form = RenderForm(Settings(RestrictionMode.AllowSelectedProviders, Hospital, Polyclinic), c => saved = c);

        Assert.Equal(2, form.FindAll("[data-testid=selected-providers] .mud-chip").Count);
        form.FindAll("[data-testid=selected-providers] .mud-chip button")[0].Click();
        form.FindAll("button").Single(b => b.TextContent.Contains("Save my choice", StringComparison.Ordinal)).Click();

        Assert.Equal(RestrictionMode.AllowSelectedProviders, saved!.Value.Mode);
        Assert.Equal([Polyclinic], saved.Value.Providers);
    }

    [Fact]
    public void Removing_the_last_provider_asks_for_one()
    {
        var form = RenderForm(Settings(RestrictionMode.AllowSelectedProviders, Hospital));

        form.Find("[data-testid=selected-providers] .mud-chip button").Click();

        Assert.Equal("Choose at least one provider.", form.Find("[data-testid=no-providers]").TextContent);
    }

    [Fact]
    public void A_server_error_is_shown()
    {
        var form = Render<AccessSettingsForm>(p => p
            .Add(f => f.Settings, Settings(RestrictionMode.None))
            .Add(f => f.Search, _ => Task.FromResult<IReadOnlyList<ProviderChoice>>([]))
            .Add(f => f.Error, "Your access settings were changed elsewhere in the meantime."));

        Assert.Contains("changed elsewhere", form.Find("[data-testid=settings-error]").TextContent, StringComparison.Ordinal);
    }
}

public class AccessHistoryTableTests : MudTestContext
{
    private static readonly DateTime At = new(2026, 11, 24, 8, 30, 0, DateTimeKind.Utc);

    private static AccessHistoryRow Row(long sequence, AccessLevel level, bool isOverride = false, AuditOutcome outcome = AuditOutcome.Success,
        ReportStatus? report = null, string? person = null) =>
        new(sequence, At, isOverride ? AuditEventTypes.RecordRead : AuditEventTypes.RecordRead, "Central General Hospital", "Doctor", person,
            level, isOverride, outcome, "x", report);

    [Fact]
    public void Each_level_shows_what_was_seen()
    {
        var table = Render<AccessHistoryTable>(p => p.Add(t => t.Page, new HistoryPage(
        [
            Row(1, AccessLevel.Full), Row(2, AccessLevel.BasicSetOnly), Row(3, AccessLevel.Full, isOverride: true, person: "Dr Lee Wei Jie"),
            Row(4, AccessLevel.Denied, outcome: AuditOutcome.Denied),
        ], 1, 25, 4)));

        Assert.Single(table.FindAll("[data-testid=level-full]"));
        Assert.Single(table.FindAll("[data-testid=level-basic]"));
        Assert.Single(table.FindAll("[data-testid=level-override]"));
        Assert.Single(table.FindAll("[data-testid=level-denied]"));
        Assert.Contains("Dr Lee Wei Jie (Doctor)", table.Markup, StringComparison.Ordinal);
        Assert.Equal("4 accesses, page 1 of 1", table.Find("[data-testid=history-count]").TextContent);
    }

    [Fact]
    public void A_reported_row_shows_its_case_status_instead_of_the_button()
    {
        AccessHistoryRow? reported = null;
        var table = Render<AccessHistoryTable>(p => p
            .Add(t => t.Page, new HistoryPage([Row(1, AccessLevel.Full, report: ReportStatus.Open), Row(2, AccessLevel.Full)], 1, 25, 2))
            .Add(t => t.Report, r => reported = r));

        Assert.Equal("Reported: under review by MOH", table.Find("[data-testid=report-status]").TextContent.Trim());
        var button = Assert.Single(table.FindAll("button"), b => b.TextContent.Contains("recognise", StringComparison.Ordinal));
        button.Click();
        Assert.Equal(2, reported!.Sequence);
    }

    [Fact]
    public void An_empty_history_says_so()
    {
        var table = Render<AccessHistoryTable>(p => p.Add(t => t.Page, new HistoryPage([], 1, 25, 0)));

        Assert.NotNull(table.Find("[data-testid=history-empty]"));
    }
}

public class CsvCellTests
{
    [Theory]
    [InlineData("Central General Hospital", "Central General Hospital")]
    [InlineData("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"")]
    [InlineData("+1", "'+1")]
    [InlineData("-2", "'-2")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("Lee, Wei Jie", "\"Lee, Wei Jie\"")]
    [InlineData(null, "")]
    public void Cells_are_quoted_and_formulas_neutralised(string? value, string expected)
    {
        Assert.Equal(expected, Csv.Cell(value));
    }
}
