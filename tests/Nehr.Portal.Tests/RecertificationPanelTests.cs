using Nehr.Core.Administration;
using Nehr.Core.Oversight;
using Nehr.Portal.Components.Admin;
using Nehr.Portal.Components.Shared;

namespace Nehr.Portal.Tests;

public class RecertificationPanelTests : MudTestContext
{
    private static readonly DateTime Due = new(2026, 4, 5, 2, 0, 0, DateTimeKind.Utc);

    private static ProviderRecertification Status(RecertificationState state) =>
        new("Central General Hospital", new RecertificationStatus(state, null, Due, Due.AddDays(14)), 90, 14);

    private static readonly IReadOnlyList<StaffMember> People =
    [
        new(1, "Dr Lee Wei Jie", "dr.lee@cgh.example.sg", "Clinician", ProfessionalRole.Doctor, true, true, false),
        new(2, "Left Long Ago", null, null, ProfessionalRole.Nurse, false, false, false),
        new(3, "Ong Shu Fen", "admin@cgh.example.sg", "ProviderAdmin", ProfessionalRole.AlliedHealthProfessional, false, true, false) { IsYou = true },
    ];

    private readonly List<IReadOnlyList<PersonnelAttestation>> _attested = [];

    private IRenderedComponent<RecertificationPanel> RenderPanel(RecertificationState state, string? error = null) =>
        Render<RecertificationPanel>(p => p
            .Add(c => c.Status, Status(state))
            .Add(c => c.People, People)
            .Add(c => c.Attest, list =>
            {
                _attested.Add(list);
                return Task.FromResult(error);
            }));

    [Fact]
    public void A_lapsed_provider_is_told_its_staff_lost_access_since_the_due_day_in_singapore_time()
    {
        var panel = RenderPanel(RecertificationState.Lapsed);

        var status = panel.Find("[data-testid=recertification-status]").TextContent;
        Assert.Contains($"overdue since {DisplayTime.Day(Due)}: your personnel have lost NEHR access", status, StringComparison.Ordinal);
        Assert.DoesNotContain("UTC", panel.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void An_overdue_provider_is_told_the_day_its_staff_lose_access()
    {
        var panel = RenderPanel(RecertificationState.Overdue);

        Assert.Contains($"lose NEHR access on {DisplayTime.Day(Due.AddDays(14))}", panel.Find("[data-testid=recertification-status]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void The_whole_list_of_active_staff_is_attested_only_after_the_confirmation()
    {
        var panel = RenderPanel(RecertificationState.Lapsed);
        panel.Find("[data-testid=start-recertification]").Click();

        var rows = panel.FindAll("[data-testid=attestation-row]");
        Assert.Equal(["Dr Lee Wei Jie", "Ong Shu Fen (you)"], rows.Select(r => r.QuerySelector("td")!.TextContent.Trim()));
        Assert.Contains("Allied health professional", panel.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("AlliedHealthProfessional", panel.Find("[data-testid=attestation-table]").OuterHtml, StringComparison.Ordinal);
        Assert.True(panel.Find("[data-testid=attest]").HasAttribute("disabled"));

        panel.Find("input[data-testid=attest-confirm]").Change(true);
        panel.WaitForAssertion(() => Assert.False(panel.Find("[data-testid=attest]").HasAttribute("disabled")), TimeSpan.FromSeconds(10));
        panel.Find("[data-testid=attest]").Click();

        panel.WaitForAssertion(() => Assert.Empty(panel.FindAll("[data-testid=attestation-table]")), TimeSpan.FromSeconds(10));
        var list = Assert.Single(_attested);
        Assert.Equal([new PersonnelAttestation(1, ProfessionalRole.Doctor, true), new PersonnelAttestation(3, ProfessionalRole.AlliedHealthProfessional, false)], list);
    }

    [Fact]
    public void A_refused_attestation_keeps_the_list_open_with_the_reason()
    {
        var panel = RenderPanel(RecertificationState.Overdue, error: "Dr Lee Wei Jie is not in the list you attest: reload the page, then attest the whole list.");
        panel.Find("[data-testid=start-recertification]").Click();
        panel.Find("input[data-testid=attest-confirm]").Change(true);
        panel.WaitForAssertion(() => Assert.False(panel.Find("[data-testid=attest]").HasAttribute("disabled")), TimeSpan.FromSeconds(10));
        panel.Find("[data-testid=attest]").Click();

        Assert.Contains("reload the page", panel.Find("[data-testid=attest-error]").TextContent, StringComparison.Ordinal);
        Assert.NotEmpty(panel.FindAll("[data-testid=attestation-row]"));
    }
}

public class RecertificationTableTests : MudTestContext
{
    [Fact]
    public void Each_provider_says_in_words_whether_it_is_current_overdue_or_has_lost_access()
    {
        var due = new DateTime(2026, 4, 5, 2, 0, 0, DateTimeKind.Utc);
        var table = Render<RecertificationTable>(p => p.Add(t => t.Rows,
        [
            new RecertificationRow(1, "CGH01", "Central General Hospital", new RecertificationStatus(RecertificationState.Lapsed, null, due, due.AddDays(14))),
            new RecertificationRow(2, "NSP01", "Northside Polyclinic", new RecertificationStatus(RecertificationState.Overdue, due.AddDays(-90), due, due.AddDays(14))),
            new RecertificationRow(3, "EVD01", "Eastview Dental Centre", new RecertificationStatus(RecertificationState.Current, due, due.AddDays(90), due.AddDays(104))),
        ]));

        var states = table.FindAll("[data-testid=recertification-state]").Select(c => c.TextContent.Trim()).ToList();
        Assert.Equal(["Overdue: NEHR access lost until it attests", $"Overdue: access lost on {DisplayTime.Day(due.AddDays(14))}", "Current"], states);
        Assert.Equal(["never", DisplayTime.Day(due.AddDays(-90)), DisplayTime.Day(due)], table.FindAll("[data-testid=last-attested]").Select(c => c.TextContent));
    }
}

public class RecertificationRefusalTextTests
{
    [Fact]
    public void A_read_refused_for_a_provider_not_recertified_is_told_to_the_patient_as_the_provider_not_allowed_now() =>
        Assert.Equal(
            "This provider may not use the NEHR now, so nothing was shown.",
            Nehr.Portal.Components.Patient.VisitText.Refusal(nameof(Nehr.Core.Access.DecisionReason.ProviderNotRecertified)));
}

public class RecertificationRecordBannerTests : MudTestContext
{
    [Fact]
    public void A_clinician_of_a_provider_not_recertified_is_told_why_the_record_is_refused_and_offered_no_override()
    {
        var banners = Render<Nehr.Portal.Components.Clinician.RecordBanners>(p => p
            .Add(b => b.Decision, new Nehr.Core.Access.AccessDecision(Nehr.Core.Access.AccessLevel.Denied, Nehr.Core.Access.DecisionReason.ProviderNotRecertified))
            .Add(b => b.NowUtc, new DateTime(2026, 6, 5, 5, 12, 0, DateTimeKind.Utc)));

        Assert.Contains("has not recertified its personnel's roles in time", banners.Find("[data-testid=denied-banner]").TextContent, StringComparison.Ordinal);
        Assert.Empty(banners.FindAll("button"));
    }
}
