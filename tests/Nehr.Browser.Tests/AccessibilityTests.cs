using System.Text.RegularExpressions;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Nehr.Browser.Tests.Pages;
using Nehr.Core.Data.Demo;
using static Microsoft.Playwright.Assertions;

namespace Nehr.Browser.Tests;

/// <summary>
/// axe-core (Deque.AxeCore.Playwright) on each page, failing on any WCAG 2.0, 2.1 or 2.2 A or AA violation, at desktop
/// and phone size; and focus that can be seen (an outline of at least 2 px).
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class AccessibilityTests(PortalFixture fixture) : PortalTest(fixture)
{
    private static readonly AxeRunOptions WcagAa = new()
    {
        RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"] },

        // Only violations are read: axe then keeps one example of each passed or inapplicable rule, not every node.
        ResultTypes = [ResultType.Violations],
    };

    private static readonly string[] PatientPages =
    [
        "/patient", "/patient/record", "/patient/record?section=LabResult", "/patient/history", "/patient/history?level=Denied",
        "/patient/history?from=not-a-date", "/patient/access", "/patient/caregivers", "/patient/notifications", "/patient/notifications/settings", "/patient/summary",
    ];

    private static async Task AssertNoViolationsAsync(IPage page, string what)
    {
        var found = await ViolationsAsync(page);
        Assert.True(found.Count == 0, $"{what}: {found.Count} axe violations:\n" + string.Join("\n", found));
    }

    private static async Task<List<string>> ViolationsAsync(IPage page)
    {
        var result = await page.RunAxe(WcagAa);
        return result.Violations.Select(v =>
            $"{v.Id} ({v.Impact}): {string.Join("; ", v.Nodes.Take(3).Select(n => n.Html.Length > 120 ? n.Html[..120] : n.Html))}").ToList();
    }

    [Theory]
    [InlineData(1366, 768)]
    [InlineData(390, 844)]
    public async Task Every_patient_page_has_no_WCAG_A_or_AA_violation(int width, int height)
    {
        var page = await Fixture.NewPageAsync();
        await page.SetViewportSizeAsync(width, height);
        await new SignInPage(page).SignInAsAsync(DemoAccounts.All.Single(a => a.Email == DemoAccounts.SelectivePatient));

        foreach (var path in PatientPages)
        {
            await page.GotoAsync(path);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
            await AssertNoViolationsAsync(page, $"{path} at {width}×{height}");
        }

        // A form's answer: the report page and a refused settings change.
        await page.GotoAsync("/patient/access");
        await page.GetByTestId("mode-RestrictAll").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save my choice" }).ClickAsync();
        await Expect(page.GetByTestId("confirm-settings")).ToBeVisibleAsync();
        await AssertNoViolationsAsync(page, $"the settings confirmation at {width}×{height}");
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/Account/Login")]
    [InlineData("/Account/ForgotPassword")]
    [InlineData("/no-such-page")]
    public async Task The_pages_before_sign_in_have_no_WCAG_A_or_AA_violation(string path)
    {
        var page = await Fixture.NewPageAsync();

        await page.GotoAsync(path);

        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
        await AssertNoViolationsAsync(page, path);
    }

    // At phone size the record's tabs, the errors and the override's states are the same markup as at desktop size, so
    // axe reads them once, at desktop size; at phone size it reads the search, the record, the basic set and the dialog.
    [Theory]
    [InlineData(1366, 768, true)]
    [InlineData(390, 844, false)]
    public async Task Every_clinician_page_and_record_state_has_no_WCAG_A_or_AA_violation(int width, int height, bool everyState)
    {
        var page = await StaffPageAsync(DemoAccounts.HospitalDoctor, width, height);
        var clinician = new ClinicianPages(page);
        var walk = new AxeWalk(page, $"{width}×{height}");

        await walk.GotoAsync("/clinician");
        await clinician.Nric.PressSequentiallyAsync("S1234567A");
        await Expect(page.GetByText(new Regex("check letter of S1234567A is not valid"))).ToBeVisibleAsync();
        await walk.CheckAsync("the search with an NRIC error");

        // Tan Mei Ling restricts nobody: the full record, each of its tabs.
        await clinician.FindAsync(Fixture.Portal.Database.NricOf(DemoAccounts.Patient));
        await Expect(clinician.PatientName).ToBeVisibleAsync();
        await walk.CheckAsync("the full record");
        for (var i = 1; everyState && i < await clinician.Tabs.CountAsync(); i++)
        {
            await clinician.Tabs.Nth(i).ClickAsync();
            await Expect(clinician.Tabs.Nth(i)).ToHaveAttributeAsync("aria-selected", "true");
            await walk.CheckAsync($"the full record's tab {await clinician.Tabs.Nth(i).TextContentAsync()}");
        }

        // Priya allows only the polyclinic: the hospital's doctor sees the basic set, the other parts withheld.
        await clinician.FindAsync(Fixture.Portal.Database.NricOf(DemoAccounts.SelectivePatient));
        await Expect(clinician.RestrictedBanner).ToBeVisibleAsync();
        await walk.CheckAsync("the basic set");
        await clinician.WithheldTabs.First.ClickAsync();
        await Expect(clinician.WithheldTabs.First).ToHaveAttributeAsync("aria-selected", "true");
        await walk.CheckAsync("a withheld part of the record");

        await clinician.RestrictedBanner.GetByRole(AriaRole.Button, new() { Name = "Emergency override" }).ClickAsync();
        await Expect(clinician.Dialog).ToBeVisibleAsync();
        await walk.CheckAsync("the emergency override dialog");
        if (!everyState)
        {
            walk.AssertNone();
            return;
        }

        await clinician.SubmitOverrideAsync();
        await Expect(clinician.Dialog.GetByTestId("attestation-error")).ToBeVisibleAsync();
        await walk.CheckAsync("the emergency override dialog with its errors");
        await clinician.FillOverrideAsync("Patient unable to consent",
            "Confused after a fall and cannot tell us which blood thinners she takes; need the medication list.", attest: true);
        await clinician.SubmitOverrideAsync();
        await Expect(clinician.OverrideBanner).ToBeVisibleAsync();
        try
        {
            await walk.CheckAsync("the record under an override, with its banner");
            await clinician.TabStartingWith("Laboratory results").ClickAsync();
            await Expect(page.GetByTestId("table-LabResult")).ToBeVisibleAsync();
            await walk.CheckAsync("a tab under an override");
            await clinician.EndOverrideButton.ClickAsync();
            await Expect(clinician.Dialog).ToBeVisibleAsync();
            await walk.CheckAsync("the question before ending the override");
        }
        finally
        {
            // Ended, so that the other tests that open Priya's record as this doctor find it restricted.
            if (await clinician.Dialog.CountAsync() == 0)
            {
                await clinician.EndOverrideButton.ClickAsync();
            }

            await clinician.Dialog.GetByRole(AriaRole.Button, new() { Name = "End override now" }).ClickAsync();
            await Expect(clinician.OverrideBanner).ToHaveCountAsync(0);
        }

        walk.AssertNone();
    }

    [Fact]
    public async Task Every_provider_administration_page_has_no_WCAG_A_or_AA_violation()
    {
        var page = await StaffPageAsync(DemoAccounts.HospitalAdmin);
        var walk = new AxeWalk(page);

        foreach (var path in (string[])["/admin/provider", "/admin/provider/registrations", "/admin/provider/directives", "/admin/provider/systems", "/admin/provider/personnel"])
        {
            await walk.GotoAsync(path);
        }

        var admin = new AdminPages(page);
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Change role of ") }).First.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Dialog)).ToBeVisibleAsync();
        await walk.CheckAsync("the role dialog");
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Deactivate ") }).First.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Dialog)).ToBeVisibleAsync();
        await walk.CheckAsync("the question before a deactivation");
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);
        await Expect(admin.PersonnelRow("(you)")).ToBeVisibleAsync();

        await page.GetByTestId("start-recertification").ClickAsync();
        await Expect(page.GetByTestId("attestation-table")).ToBeVisibleAsync();
        await walk.CheckAsync("the recertification's list to attest");

        await page.GetByTestId("create-account").ClickAsync();
        await Expect(page.GetByTestId("create-error")).ToBeVisibleAsync();
        await walk.CheckAsync("the personnel page with a refused account");

        walk.AssertNone();
    }

    [Fact]
    public async Task Every_MOH_auditor_page_has_no_WCAG_A_or_AA_violation()
    {
        // An override to review: the hospital's doctor overrides Priya's restriction and ends it at once.
        var doctor = new ClinicianPages(await StaffPageAsync(DemoAccounts.HospitalDoctor));
        await doctor.FindAsync(Fixture.Portal.Database.NricOf(DemoAccounts.SelectivePatient));
        await doctor.EmergencyOverrideButton.First.ClickAsync();
        await doctor.FillOverrideAsync("Life-threatening condition",
            "Collapsed in the emergency department with a low blood pressure; need her medications and diagnoses now.", attest: true);
        await doctor.SubmitOverrideAsync();
        await doctor.EndOverrideButton.ClickAsync();
        await doctor.Dialog.GetByRole(AriaRole.Button, new() { Name = "End override now" }).ClickAsync();
        await Expect(doctor.OverrideBanner).ToHaveCountAsync(0);

        var page = await StaffPageAsync(DemoAccounts.Auditor);
        var walk = new AxeWalk(page);

        foreach (var path in (string[])["/admin/moh", "/admin/moh/compliance", "/admin/moh/registrations", "/admin/moh/audit", "/admin/moh/alerts", "/admin/moh/reviews"])
        {
            await walk.GotoAsync(path);
        }

        await page.GetByRole(AriaRole.Tab, new() { NameRegex = new Regex("^Reported accesses") }).ClickAsync();
        await walk.CheckAsync("the review queue's reported accesses");
        await page.GetByLabel("Show reviewed items instead").CheckAsync();
        await walk.CheckAsync("the reviewed items");

        await page.GotoAsync("/admin/moh/reviews");
        await page.GetByTestId("override-item").Filter(new() { HasText = "Dr Lee Wei Jie" }).First.GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page.GetByTestId("justification")).ToBeVisibleAsync();
        await walk.CheckAsync("an override's review");
        await page.GetByTestId("submit-review").ClickAsync();
        await Expect(page.GetByTestId("verdict-error")).ToBeVisibleAsync();
        await walk.CheckAsync("an override's review with its errors");

        await page.GotoAsync("/admin/moh/reviews");
        await Expect(page.GetByTestId("override-item").First).ToBeVisibleAsync();
        // A reported access exists once a patient has reported one (the patient journeys do).
        if (await page.GetByTestId("report-item").CountAsync() > 0)
        {
            await page.GetByTestId("report-item").First.GetByRole(AriaRole.Link).ClickAsync();
            await Expect(page.GetByTestId("case-status")).ToBeVisibleAsync();
            await walk.CheckAsync("a reported access's review");
        }

        await page.GotoAsync("/admin/moh/audit");
        await new AdminPages(page).ChooseEventTypeAsync("record.read");
        await new AdminPages(page).AuditSearchButton.ClickAsync();
        await Expect(new AdminPages(page).AuditRows.First).ToBeVisibleAsync();
        await walk.CheckAsync("the audit trail's results");

        walk.AssertNone();
    }

    [Fact]
    public async Task Every_MOH_administrator_page_has_no_WCAG_A_or_AA_violation()
    {
        var page = await StaffPageAsync(DemoAccounts.MohAdmin);
        var walk = new AxeWalk(page);

        foreach (var path in (string[])["/admin/moh", "/admin/moh/systems", "/admin/moh/representatives", "/admin/moh/directives", "/admin/moh/flags", "/admin/moh/suspensions"])
        {
            await walk.GotoAsync(path);
        }

        await page.GetByLabel("Name or e-mail").FillAsync("nehr.demo");
        await page.GetByTestId("find-person").ClickAsync();
        await Expect(page.GetByTestId("person-row").First).ToBeVisibleAsync();
        await walk.CheckAsync("the people found");
        await page.GetByTestId("providers-table").GetByTestId("toggle-provider").First.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Dialog)).ToBeVisibleAsync();
        await walk.CheckAsync("the question before a provider's suspension");
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Dialog)).ToHaveCountAsync(0);

        // A directive form sent empty: its errors, nothing issued.
        await page.GotoAsync("/admin/moh/directives");
        await page.GetByTestId("issue-directive").ClickAsync();
        await Expect(page.GetByTestId("issue-error")).ToBeVisibleAsync();
        await walk.CheckAsync("the directive form with its errors");
        await page.GetByLabel("To provider").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Option).First).ToBeVisibleAsync();
        await walk.CheckAsync("the directive form's list of providers");
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.GetByRole(AriaRole.Option)).ToHaveCountAsync(0);
        await page.Locator(".mud-picker .mud-input-adornment button").ClickAsync();
        await Expect(page.Locator(".mud-picker-calendar-container")).ToBeVisibleAsync();
        await walk.CheckAsync("the directive form's calendar");

        walk.AssertNone();
    }

    [Fact]
    public async Task Every_account_page_has_no_WCAG_A_or_AA_violation()
    {
        var page = await Fixture.NewPageAsync();
        await page.SetViewportSizeAsync(1366, 768);
        var walk = new AxeWalk(page);
        var signIn = new SignInPage(page);

        foreach (var path in (string[])["/Account/Lockout", "/Account/ForgotPasswordConfirmation", "/Account/ResetPasswordConfirmation",
            "/Account/InvalidPasswordReset", "/Account/NoRecord", "/Account/InvalidUser"])
        {
            await walk.GotoAsync(path);
        }

        await signIn.GotoAsync();
        await signIn.SignInAsync("nobody@nehr.demo", "not-the-password");
        await Expect(signIn.Error).ToBeVisibleAsync();
        await walk.CheckAsync("a refused sign-in");

        // The Singpass stand-in (development identity provider) is a page of the portal's host.
        await signIn.SingpassButton.ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/dev-idp/authorize", StringComparison.Ordinal));
        await walk.CheckAsync("the Singpass stand-in");

        // The second factor's pages (left before the code, so that the account's next code stays unused).
        await signIn.GotoAsync();
        await signIn.SignInAsync(DemoAccounts.MohAdmin, DemoAccounts.Password);
        await Expect(signIn.AuthenticatorCode).ToBeVisibleAsync();
        await walk.CheckAsync("the authenticator code");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with a recovery code" }).ClickAsync();
        await Expect(page.GetByLabel("Recovery code")).ToBeVisibleAsync();
        await walk.CheckAsync("the recovery code");

        await page.Context.ClearCookiesAsync();
        await signIn.SignInAsAsync(DemoAccounts.All.Single(a => a.Email == DemoAccounts.HospitalDoctor));
        foreach (var path in (string[])["/Account/Manage", "/Account/Manage/ChangePassword", "/Account/Manage/TwoFactorAuthentication",
            "/Account/Manage/EnableAuthenticator", "/Account/Manage/GenerateRecoveryCodes", "/Account/Manage/ResetAuthenticator",
            "/Account/Manage/Disable2fa", "/Account/Manage/Passkeys", "/Account/AccessDenied"])
        {
            await walk.GotoAsync(path);
        }

        walk.AssertNone();
    }

    private async Task<IPage> StaffPageAsync(string email, int width = 1366, int height = 768)
    {
        var page = await Fixture.NewPageAsync();
        await page.SetViewportSizeAsync(width, height);
        await new SignInPage(page).SignInAsAsync(DemoAccounts.All.Single(a => a.Email == email));
        return page;
    }

    /// <summary>
    /// An area's pages and states walked in one browser page: axe runs on each once it has settled (its data loaded,
    /// dialogs done opening), and every violation of the walk is reported at its end.
    /// </summary>
    private sealed class AxeWalk(IPage page, string size = "1366×768")
    {
        private readonly List<string> _found = [];

        public async Task GotoAsync(string path)
        {
            await page.GotoAsync(path);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
            await CheckAsync(path);
        }

        public async Task CheckAsync(string what)
        {
            await Expect(page.Locator("[role=status] .mud-progress-linear")).ToHaveCountAsync(0);
            await page.WaitForFunctionAsync(
                "() => document.getAnimations().every(a => a.playState !== 'running' || a.effect.getComputedTiming().iterations === Infinity)");
            _found.AddRange((await ViolationsAsync(page)).Select(v => $"{what} at {size}: {v}"));
        }

        public void AssertNone() =>
            Assert.True(_found.Count == 0, $"{_found.Count} axe violations:\n" + string.Join("\n", _found));
    }

    [Fact]
    public async Task Focus_is_seen_on_the_patient_pages()
    {
        var page = await Fixture.NewPageAsync();
        await new SignInPage(page).SignInAsAsync(DemoAccounts.All.Single(a => a.Email == DemoAccounts.SelectivePatient));
        await page.GotoAsync("/patient/history");

        AssertAllSeen(await TabThroughAsync(page, 12));
    }

    [Fact]
    public async Task Focus_is_seen_on_a_clinicians_search_and_record()
    {
        var page = await StaffPageAsync(DemoAccounts.HospitalDoctor);
        var clinician = new ClinicianPages(page);
        await page.GotoAsync("/clinician");
        await Expect(clinician.Nric).ToBeFocusedAsync();
        var stops = await TabThroughAsync(page, 2); // the purpose of use and Open record

        // The record from the top: skip link, app bar, menu, its buttons, the tabs and the tables' scrollable regions.
        await clinician.FindAsync(Fixture.Portal.Database.NricOf(DemoAccounts.Patient));
        await Expect(clinician.PatientName).ToBeVisibleAsync();
        await page.Locator("a.skip-link").FocusAsync();
        stops.AddRange(await TabThroughAsync(page, 20));

        Assert.Contains(stops, s => s.Element.Contains(": BUTTON[tab]", StringComparison.Ordinal));
        Assert.Contains(stops, s => s.Element.Contains(": DIV[region]", StringComparison.Ordinal));
        AssertAllSeen(stops);
    }

    [Fact]
    public async Task Focus_is_seen_on_an_administrators_form_fields()
    {
        var page = await StaffPageAsync(DemoAccounts.HospitalAdmin);
        await page.GotoAsync("/admin/provider/personnel");
        await page.GetByLabel("Full name").FocusAsync();

        // Text fields, the selects, the check box, the button and the table's actions.
        var stops = await TabThroughAsync(page, 8);

        Assert.Contains(stops, s => s.Element.Contains("INPUT[checkbox]", StringComparison.Ordinal));
        AssertAllSeen(stops);
    }

    /// <summary>A place the keyboard reached, and whether it showed an outline of 2 px or more there.</summary>
    private sealed record TabStop(string Element, bool Seen);

    private static void AssertAllSeen(List<TabStop> stops)
    {
        var unseen = stops.Where(s => !s.Seen).ToList();
        Assert.True(unseen.Count == 0, $"{unseen.Count} of {stops.Count} tab stops without visible focus:\n" + string.Join("\n", unseen.Select(s => s.Element)));
    }

    /// <summary>
    /// Presses Tab up to <paramref name="stops"/> times (until the focus leaves the page) and says of each stop whether
    /// it draws an outline of 2 px or more: the focused element's own or, for MudBlazor's check boxes, radios and
    /// switches (an invisible input over the icon), its parent's.
    /// </summary>
    private static async Task<List<TabStop>> TabThroughAsync(IPage page, int stops)
    {
        var reached = new List<TabStop>();
        for (var i = 0; i < stops; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            var outline = await page.EvaluateAsync<string>("""
                () => {
                    const focused = document.activeElement;
                    if (focused === document.body) return '';
                    const e = getComputedStyle(focused).opacity === '0' ? focused.parentElement : focused;
                    const s = getComputedStyle(e);
                    const name = focused.getAttribute('aria-label') || (focused.textContent || '').trim().slice(0, 30);
                    return `${focused.tagName}[${focused.getAttribute('role') || focused.getAttribute('type') || ''}] ${name}|${s.outlineStyle}|${parseFloat(s.outlineWidth)}`;
                }
                """);
            if (outline.Length == 0)
            {
                break;
            }

            var parts = outline.Split('|');
            var seen = parts[1] != "none" && double.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture) >= 2;
            reached.Add(new TabStop($"{new Uri(page.Url).AbsolutePath}: {parts[0]} (outline {parts[1]} {parts[2]} px)", seen));
        }

        return reached;
    }
}
