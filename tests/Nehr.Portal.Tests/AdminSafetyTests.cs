using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Nehr.Core;
using Nehr.Core.Administration;
using Nehr.Core.Oversight;
using Nehr.Portal.Components.Admin;
using Nehr.Portal.Hosting;
using Nehr.Portal.Services;

namespace Nehr.Portal.Tests;

public class PersonnelTableTests : MudTestContext
{
    private static StaffMember Member(int id, string name, bool you = false, bool active = true) =>
        new(id, name, $"{id}@cgh.example.sg", Nehr.Core.Identity.Roles.Clinician, ProfessionalRole.Doctor, true, active, false) { IsYou = you };

    [Fact]
    public void The_administrators_own_row_offers_neither_a_role_change_nor_a_deactivation()
    {
        var table = Render<PersonnelTable>(p => p.Add(t => t.People, [Member(1, "Admin Ong", you: true), Member(2, "Dr Lee Wei Jie")]));

        var rows = table.FindAll("tbody tr");
        Assert.Empty(rows[0].QuerySelectorAll("button"));
        Assert.Contains("another administrator of your provider changes it", rows[0].QuerySelector("[data-testid=own-row]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("Admin Ong (you)", rows[0].QuerySelector("[data-testid=person-name]")!.TextContent.Trim());
        Assert.Equal(["Change role of Dr Lee Wei Jie", "Deactivate Dr Lee Wei Jie"],
            rows[1].QuerySelectorAll("button").Select(b => b.GetAttribute("aria-label")));
    }

    [Fact]
    public void A_person_offers_their_nric_with_a_label_naming_them_when_the_page_lets_it_be_set()
    {
        var table = Render<PersonnelTable>(p => p
            .Add(t => t.People, [Member(2, "Dr Lee Wei Jie"), Member(4, "Nurse Wong Hui Min") with { Nric = "S8012345B" }])
            .Add(t => t.SetNric, (StaffMember _) => { }));

        var buttons = table.FindAll("button[data-testid=set-nric]");
        Assert.Equal(["Add NRIC", "NRIC"], buttons.Select(b => b.TextContent.Trim()));
        Assert.Equal(["Add NRIC of Dr Lee Wei Jie", "NRIC of Nurse Wong Hui Min"], buttons.Select(b => b.GetAttribute("aria-label")));
    }

    [Fact]
    public void A_leaver_offers_no_action()
    {
        var table = Render<PersonnelTable>(p => p.Add(t => t.People, [Member(3, "Nurse Tan", active: false)]));

        Assert.Empty(table.FindAll("button"));
        Assert.Equal("Left (deactivated)", table.Find("[data-testid=person-access]").TextContent.Trim());
    }
}

public class NricDialogTests : MudTestContext
{
    private readonly List<string?> _saved = [];

    private IRenderedComponent<MudDialogProvider> Show(string? recorded)
    {
        var provider = Render<MudDialogProvider>();
        var service = Services.GetRequiredService<IDialogService>();
        var parameters = new DialogParameters<NricDialog>
        {
            { d => d.Person, new StaffMember(6, "Nurse Wong Hui Min", "nurse.wong@nehr.demo", "Clinician", ProfessionalRole.Nurse, true, true, false) { Nric = recorded } },
            { d => d.Save, nric =>
                {
                    _saved.Add(nric);
                    return Task.FromResult<string?>(nric == "S0000001I" ? "The NRIC or FIN: the check letter is wrong." : null);
                }
            },
        };
        _ = provider.InvokeAsync(() => service.ShowAsync<NricDialog>("NRIC or FIN", parameters));
        return provider;
    }

    [Fact]
    public void Save_waits_for_a_value_other_than_the_recorded_one_and_a_refusal_stays_in_the_dialog()
    {
        var provider = Show(null);
        provider.WaitForAssertion(() => Assert.True(provider.Find("button[data-testid=save-nric]").HasAttribute("disabled")));
        Assert.Equal("NRIC or FIN", provider.Find("label[for]").TextContent.Trim());

        provider.Find("input[data-testid=nric-field]").Input("S0000001I");
        provider.WaitForAssertion(() => Assert.False(provider.Find("button[data-testid=save-nric]").HasAttribute("disabled")));
        provider.Find("button[data-testid=save-nric]").Click();

        provider.WaitForAssertion(() => Assert.Contains("the check letter is wrong", provider.Find("[data-testid=dialog-error]").TextContent, StringComparison.Ordinal));
        Assert.Equal(["S0000001I"], _saved);
    }

    [Fact]
    public void Emptying_a_recorded_value_saves_its_removal()
    {
        var provider = Show("S8012345B");
        provider.WaitForAssertion(() => Assert.NotNull(provider.Find("[data-testid=nric-unchanged]")));

        provider.Find("input[data-testid=nric-field]").Input(string.Empty);
        provider.WaitForAssertion(() => Assert.False(provider.Find("button[data-testid=save-nric]").HasAttribute("disabled")));
        provider.Find("button[data-testid=save-nric]").Click();

        provider.WaitForAssertion(() => Assert.Single(_saved));
        Assert.True(string.IsNullOrEmpty(_saved[0]));
        provider.WaitForAssertion(() => Assert.Empty(provider.FindAll("[data-testid=save-nric]")));
    }
}

public class RoleDialogTests : MudTestContext
{
    private readonly List<(ProfessionalRole? Role, bool InCare)> _saved = [];

    private IRenderedComponent<MudDialogProvider> Show()
    {
        var provider = Render<MudDialogProvider>();
        var service = Services.GetRequiredService<IDialogService>();
        var parameters = new DialogParameters<RoleDialog>
        {
            { d => d.Person, new StaffMember(5, "Dr Lee Wei Jie", "dr.lee@nehr.demo", "Clinician", ProfessionalRole.Doctor, true, true, false) },
            { d => d.Save, (role, inCare) =>
                {
                    _saved.Add((role, inCare));
                    return Task.FromResult<string?>(null);
                }
            },
        };
        _ = provider.InvokeAsync(() => service.ShowAsync<RoleDialog>("Change role", parameters));
        return provider;
    }

    [Fact]
    public void Save_is_disabled_until_something_differs_from_what_is_recorded()
    {
        var provider = Show();

        provider.WaitForAssertion(() => Assert.True(provider.Find("button[data-testid=save-role]").HasAttribute("disabled")));
        Assert.NotNull(provider.Find("[data-testid=role-unchanged]"));

        provider.Find("input[data-testid=in-care]").Change(false);
        provider.WaitForAssertion(() => Assert.False(provider.Find("button[data-testid=save-role]").HasAttribute("disabled")));
        Assert.Empty(provider.FindAll("[data-testid=role-unchanged]"));

        provider.Find("button[data-testid=save-role]").Click();
        provider.WaitForAssertion(() => Assert.Equal([(ProfessionalRole.Doctor, false)], _saved));
    }

    [Fact]
    public void Putting_back_what_was_recorded_disables_save_again()
    {
        var provider = Show();
        provider.WaitForAssertion(() => provider.Find("input[data-testid=in-care]"));

        provider.Find("input[data-testid=in-care]").Change(false);
        provider.Find("input[data-testid=in-care]").Change(true);

        provider.WaitForAssertion(() => Assert.True(provider.Find("button[data-testid=save-role]").HasAttribute("disabled")));
        Assert.Empty(_saved);
    }
}

public class AdminErrorRuleTests : MudTestContext
{
    /// <summary>An admin page in miniature: one action, its error shown where it is.</summary>
    private sealed class FailingAction : AdminComponentBase
    {
        public Task<bool> ActAsync() => RunAsync(() => throw new DomainException("The registration must end after today."), "Done.");

        protected override void BuildRenderTree(RenderTreeBuilder builder) => builder.AddContent(0, Error);
    }

    [Fact]
    public async Task An_error_in_the_admin_area_is_shown_once_where_the_action_is_and_never_as_a_toast()
    {
        AddAuthorization().SetAuthorized("admin@cgh.example.sg");
        Services.AddScoped<PortalUser>();
        var snackbar = Services.GetRequiredService<ISnackbar>();
        var page = Render<FailingAction>();

        Assert.False(await page.InvokeAsync(page.Instance.ActAsync));
        Assert.False(await page.InvokeAsync(page.Instance.ActAsync));

        Assert.Equal("The registration must end after today.", page.Markup);
        Assert.Empty(snackbar.ShownSnackbars);
    }
}

public class AuditDetailsTests : MudTestContext
{
    [Fact]
    public void Details_become_labelled_fields_with_free_text_kept_whole_and_times_in_singapore()
    {
        var fields = AuditDetailFields.Parse(null,
            "directive=7; provider=3; kind=StopUnauthorisedUse; deadline=2026-12-08T15:59:59.9999990Z; reason=Found in audit; staff told; to stop");

        Assert.Equal(
            [("Directive", "7"), ("Provider", "3"), ("Kind", "StopUnauthorisedUse"), ("Deadline", "8 Dec 2026, 23:59"), ("Reason", "Found in audit; staff told; to stop")],
            fields);
    }

    [Fact]
    public void A_part_without_a_key_is_kept_unlabelled_and_the_events_reason_comes_first()
    {
        var fields = AuditDetailFields.Parse("Treatment", "personnel=12; Doctor/in care -> Researcher/not in care; portal-role=");

        Assert.Equal([("Reason", "Treatment"), ("Personnel", "12"), (null, "Doctor/in care -> Researcher/not in care"), ("Portal role", "—")], fields);
    }

    [Fact]
    public void A_purpose_of_use_is_shown_in_words_with_its_code_and_an_unknown_code_as_it_came()
    {
        Assert.Equal([("Purpose", "Patient care (TREAT)"), ("Kind", "all")], AuditDetailFields.Parse(null, "purpose=TREAT; kind=all"));
        Assert.Equal([("Purpose", "NOSUCH")], AuditDetailFields.Parse(null, "purpose=NOSUCH"));
    }

    [Fact]
    public void The_audit_trail_shows_each_field_with_its_label()
    {
        var details = Render<AuditDetails>(p => p.Add(d => d.Details, "personnel=12; from=Doctor/in care; to=Researcher/not in care"));

        Assert.Equal(["Personnel", "From", "To"], details.FindAll("dt").Select(d => d.TextContent));
        Assert.Equal(["12", "Doctor/in care", "Researcher/not in care"], details.FindAll("dd").Select(d => d.TextContent));
        Assert.Contains("audit-details", details.Find("dl").ClassName, StringComparison.Ordinal);
    }

    [Fact]
    public void No_details_render_nothing()
    {
        Assert.Empty(Render<AuditDetails>().Markup.Trim());
    }
}

public class AuditExportFormatTests
{
    [Fact]
    public void The_export_gives_the_time_as_shown_and_in_iso_8601_with_the_singapore_offset()
    {
        var at = new DateTime(2026, 11, 24, 18, 5, 9, DateTimeKind.Utc).AddTicks(1_234_560);

        Assert.Equal("2026-11-25T02:05:09.123456+08:00", AdminEndpoints.IsoLocal(at));
        Assert.StartsWith("Sequence,When,When (ISO 8601),Event,", AdminEndpoints.AuditCsvHeader, StringComparison.Ordinal);
        Assert.DoesNotContain("UTC", AdminEndpoints.AuditCsvHeader, StringComparison.Ordinal);
    }

    [Fact]
    public void The_export_link_carries_exactly_the_criteria_of_the_search_shown()
    {
        var url = Nehr.Portal.Components.Pages.Admin.Moh.AuditTrailPage.ExportUrlOf(
            new AuditQuery("S1234567D", "Lee & Tan", 3, new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 24), "record.read"));

        Assert.Equal("/admin/moh/audit.csv?patient=S1234567D&person=Lee%20%26%20Tan&provider=3&from=2026-11-01&to=2026-11-24&type=record.read", url);
    }
}

public class CountChartTests : MudTestContext
{
    [Theory]
    [InlineData(0, 1, 1)]
    [InlineData(1, 1, 1)]
    [InlineData(3, 3, 1)]
    [InlineData(7, 8, 2)]
    [InlineData(20, 20, 5)]
    [InlineData(40, 40, 10)]
    [InlineData(1234, 1500, 500)]
    public void The_scale_runs_from_zero_to_a_round_number_just_above_the_largest_count(int largest, int max, int step)
    {
        Assert.Equal((max, step), CountChart.Scale(largest));
    }

    [Fact]
    public void Small_counts_get_a_small_scale_not_a_fixed_one()
    {
        var chart = Render<CountChart>(p => p
            .Add(c => c.Title, "Emergency overrides per week")
            .Add(c => c.Points, [new ChartPoint("17 Nov", 1), new ChartPoint("24 Nov", 3)])
            .Add(c => c.CountHeader, "Overrides"));

        Assert.Equal(["0", "1", "2", "3"], chart.FindAll("[data-testid=chart-tick]").Select(t => t.TextContent));
        var bars = chart.FindAll(".bar").Select(b => b.GetAttribute("style")).ToList();
        Assert.Equal(["width: 33.33%", "width: 100%"], bars);
        Assert.Equal(["17 Nov", "24 Nov"], chart.FindAll(".bar-label").Take(2).Select(l => l.TextContent));
    }

    [Fact]
    public void No_counts_say_so_instead_of_an_empty_chart()
    {
        var chart = Render<CountChart>(p => p
            .Add(c => c.Title, "Review backlog by age")
            .Add(c => c.Points, [new ChartPoint("Under 1 day", 0)])
            .Add(c => c.EmptyText, "The review queue is empty."));

        Assert.Contains("The review queue is empty.", chart.Markup, StringComparison.Ordinal);
        Assert.Empty(chart.FindAll("[data-testid=chart-bars]"));
    }
}

public class ComplianceWindowTests : MudTestContext
{
    private static readonly DateTime LongAgo = new(2026, 8, 1, 2, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void A_provider_with_nothing_in_the_last_30_days_is_not_shown_as_contributing()
    {
        var lapsed = new ComplianceRow(1, "CGH01", "Central General Hospital", ProviderType.PublicHospital, true, OnboardingState.Onboarded, false, LongAgo, 0);
        var current = lapsed with { ProviderId = 2, Code = "NSP01", Name = "Northshore Polyclinic", ResourcesLast30Days = 12 };

        var table = Render<ComplianceTable>(p => p.Add(t => t.Rows, [lapsed, current]));

        var states = table.FindAll("[data-testid=compliance-state]").Select(c => c.TextContent.Trim()).ToList();
        Assert.Equal("Not contributing: nothing in 30 days", states[0]);
        Assert.Equal("Contributing (in the last 30 days)", states[1]);
        Assert.True(lapsed.NotContributing);
        Assert.Equal("1 Aug 2026", table.FindAll("[data-testid=last-contribution]")[0].TextContent.Trim());
    }
}

public class DirectiveTimesTests : MudTestContext
{
    [Fact]
    public void A_directive_shows_its_times_in_singapore_and_its_deadline_as_the_last_day()
    {
        var issued = new DateTime(2026, 11, 24, 17, 30, 0, DateTimeKind.Utc);
        var deadline = Nehr.Core.NehrCalendar.EndOfDayUtc(new DateOnly(2026, 12, 8)).AddTicks(-10);
        var row = new DirectiveRow(7, 3, "Central General Hospital", DirectiveKind.StopUnauthorisedUse, "Stop using the NEHR for pre-employment checks.",
            issued, deadline, DirectiveStatus.Acknowledged, false, issued.AddHours(1), null, null);

        var card = Render<DirectiveCard>(p => p.Add(c => c.Row, row));

        Assert.Equal("To Central General Hospital · issued 25 Nov 2026, 01:30 · deadline end of 8 Dec 2026", card.Find("[data-testid=directive-dates]").TextContent.Trim());
        Assert.Contains("Acknowledged 25 Nov 2026, 02:30.", card.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("UTC", card.Markup, StringComparison.Ordinal);
    }
}

public class SuspendProviderDialogTests : MudTestContext
{
    [Fact]
    public void Suspending_a_provider_states_its_impact_and_waits_for_its_name()
    {
        (string? Reason, string? Name)? sent = null;
        var provider = Render<MudDialogProvider>();
        var service = Services.GetRequiredService<IDialogService>();
        var parameters = new DialogParameters<SuspendProviderDialog>
        {
            { d => d.Impact, new SuspensionImpact(3, "Central General Hospital", 42, 30, 1250) },
            { d => d.Suspend, (reason, name) =>
                {
                    sent = (reason, name);
                    return Task.FromResult<string?>(null);
                }
            },
        };
        _ = provider.InvokeAsync(() => service.ShowAsync<SuspendProviderDialog>("Suspend", parameters));

        provider.WaitForAssertion(() => Assert.Contains(
            "42 members of staff (30 with NEHR access now), whose care teams lose access to the records of 1,250 registered patients",
            System.Text.RegularExpressions.Regex.Replace(provider.Find("[data-testid=suspension-impact]").TextContent, @"\s+", " "), StringComparison.Ordinal));
        Assert.True(provider.Find("button[data-testid=confirm-action]").HasAttribute("disabled"));

        provider.Find("input[data-testid=confirm-name]").Input("Central General");
        Assert.True(provider.Find("button[data-testid=confirm-action]").HasAttribute("disabled"));
        provider.Find("textarea[data-testid=action-reason]").Change("Unauthorised use found in audit.");
        provider.Find("input[data-testid=confirm-name]").Input("central general hospital");
        provider.WaitForAssertion(() => Assert.False(provider.Find("button[data-testid=confirm-action]").HasAttribute("disabled")));

        provider.Find("button[data-testid=confirm-action]").Click();
        Assert.Equal(("Unauthorised use found in audit.", "central general hospital"), sent);
    }
}
