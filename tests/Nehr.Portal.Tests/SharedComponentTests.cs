using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Nehr.Core.Audit;
using Nehr.Portal.Security;
using Nehr.Core.Administration;
using Nehr.Portal.Components.Shared;
using Nehr.Portal.Services;

namespace Nehr.Portal.Tests;

public class SharedComponentTests : MudTestContext
{
    private static StaffSummaryView Staff(bool active = true, bool suspended = false, bool providerSuspended = false,
        OnboardingState onboarding = OnboardingState.Onboarded) =>
        new("Dr Lee Wei Jie", ProfessionalRole.Doctor, InvolvedInCare: active, active, suspended,
            "Central General Hospital", "CGH01", ProviderType.PublicHospital, onboarding, providerSuspended, 50, 12);

    [Fact]
    public void Loading_state_says_what_is_loading_until_done()
    {
        var loading = Render<LoadingState>(p => p
            .Add(c => c.Loading, true)
            .Add(c => c.What, "your details")
            .AddChildContent("<p id='content'>ready</p>"));

        Assert.Equal("status", loading.Find("[role=status]").GetAttribute("role"));
        Assert.Contains("Loading your details", loading.Markup, StringComparison.Ordinal);
        Assert.Empty(loading.FindAll("#content"));

        loading.Render(p => p.Add(c => c.Loading, false));

        Assert.Equal("ready", loading.Find("#content").TextContent);
        Assert.Empty(loading.FindAll("[role=status]"));
    }

    [Theory]
    [InlineData(false, false, false, OnboardingState.Onboarded, "deactivated")]
    [InlineData(true, true, false, OnboardingState.Onboarded, "Your NEHR access is suspended")]
    [InlineData(true, false, true, OnboardingState.Onboarded, "provider's NEHR access is suspended")]
    [InlineData(true, false, false, OnboardingState.NotOnboarded, "not yet onboarded")]
    public void A_blocked_staff_member_is_told_why(bool active, bool suspended, bool providerSuspended, OnboardingState onboarding, string expected)
    {
        var summary = Render<StaffSummary>(p => p.Add(c => c.Home, Staff(active, suspended, providerSuspended, onboarding)));

        Assert.Contains(expected, summary.Find("[role=alert]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void An_active_staff_member_sees_no_alert_and_counts_only_when_asked()
    {
        var summary = Render<StaffSummary>(p => p.Add(c => c.Home, Staff()));

        Assert.Empty(summary.FindAll("[role=alert]"));
        Assert.Equal("Central General Hospital (CGH01)", summary.Find("[data-testid=staff-provider]").TextContent);
        Assert.DoesNotContain("Registered patients", summary.Markup, StringComparison.Ordinal);

        summary.Render(p => p.Add(c => c.ShowCounts, true));

        Assert.Contains("Registered patients", summary.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void A_staff_account_without_a_personnel_record_gets_a_warning()
    {
        var summary = Render<StaffSummary>(p => p.Add(c => c.Home, (StaffSummaryView?)null));

        Assert.Contains("not linked to a provider", summary.Markup, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Patient", null, "does not give you access to this area")]
    [InlineData("Clinician", "mfa", "does not give you access to this area")]
    [InlineData("Clinician", "pwd", "Staff areas need a sign-in with a second factor.")]
    [InlineData("MohAuditor", null, "Staff areas need a sign-in with a second factor.")]
    public void Access_denied_notice_is_an_alert_that_says_what_is_missing(string role, string? method, string expected)
    {
        var notice = RenderNotice(role, method is null ? [] : [new Claim(AccountState.MethodClaim, method)]);

        Assert.Equal("Access denied", notice.Find("h1").TextContent);
        Assert.Contains(expected, notice.Find("[role=alert]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Access_denied_notice_sends_an_account_with_a_temporary_password_to_change_it()
    {
        var notice = RenderNotice("Clinician", [new Claim(AccountState.PasswordChangeRequiredClaim, "true")]);

        Assert.Equal("Account/Manage/ChangePassword?first=true", notice.Find("[role=alert] a").GetAttribute("href"));
    }

    private IRenderedComponent<AccessDeniedNotice> RenderNotice(string role, Claim[] claims)
    {
        var auth = AddAuthorization();
        auth.SetAuthorized("someone@nehr.demo");
        auth.SetRoles(role);
        auth.SetClaims(claims);
        Services.AddScoped<PortalUser>();
        // Only a refusal during interactive navigation is audited; this render audits nothing, so no database is needed.
        Services.AddSingleton(new SecurityEvents(null!, null!, null!));
        return Render<AccessDeniedNotice>();
    }
}

public class RegistrationTextTests
{
    [Fact]
    public void A_registration_that_ends_at_midnight_runs_until_its_last_day_in_singapore()
    {
        // Registered until 30 June: it ends at midnight after 30 June in Singapore, 16:00 UTC on 30 June.
        var expires = Nehr.Core.NehrCalendar.EndOfDayUtc(new DateOnly(2027, 6, 30));

        Assert.Equal("30 Jun 2027", RegistrationText.Until(RegistrationSource.Administrator, expires));
        Assert.Equal("30 Jun 2027", RegistrationText.Until(RegistrationSource.Encounter, expires));
    }

    [Fact]
    public void A_registration_from_a_visit_under_way_has_no_end_yet()
    {
        Assert.Equal("While the visit is under way", RegistrationText.Until(RegistrationSource.Encounter, null));
        Assert.Equal("No end date", RegistrationText.Until(RegistrationSource.Administrator, null));
    }

    [Theory]
    [InlineData(Nehr.Core.Records.Race.NotStated, "Not stated", "race not stated")]
    [InlineData(Nehr.Core.Records.Race.Chinese, "Chinese", "Chinese")]
    public void Race_is_in_words(Nehr.Core.Records.Race race, string alone, string inLine)
    {
        Assert.Equal(alone, Nehr.Portal.Components.Record.DemographicsText.Race(race));
        Assert.Equal(inLine, Nehr.Portal.Components.Record.DemographicsText.RaceInLine(race));
    }
}
