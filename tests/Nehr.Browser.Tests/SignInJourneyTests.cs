using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Nehr.Browser.Tests.Pages;
using Nehr.Core.Data.Demo;
using Nehr.Core.Identity;
using static Microsoft.Playwright.Assertions;

namespace Nehr.Browser.Tests;

[Collection(PortalCollection.Name)]
public sealed class SignInJourneyTests(PortalFixture fixture) : PortalTest(fixture)
{
    public static TheoryData<string> AllDemoAccounts() => new(DemoAccounts.All.Select(a => a.Email));

    [Theory]
    [MemberData(nameof(AllDemoAccounts))]
    public async Task Every_demo_account_signs_in_and_lands_in_its_own_area(string email)
    {
        var account = DemoAccounts.All.Single(a => a.Email == email);
        var page = await Fixture.NewPageAsync();
        var shell = new AppShell(page);

        await new SignInPage(page).SignInAsAsync(account, fresh: true);

        var (path, heading) = AreaOf(account.Role);
        await Expect(page).ToHaveURLAsync(new Regex($"{Regex.Escape(path)}$"));
        await Expect(shell.Heading).ToHaveTextAsync(heading);
        await Expect(shell.SignedInAs).ToHaveTextAsync(account.Email);
        var landmark = account.Role switch
        {
            Roles.Patient => page.GetByTestId("patient-name"),
            Roles.Clinician or Roles.ProviderAdmin => page.GetByTestId("staff-name"),
            _ => page.GetByTestId("figure-Patients in the NEHR"),
        };
        await Expect(landmark).ToHaveTextAsync(account.Role is Roles.MohAuditor or Roles.MohAdmin ? "50" : account.DisplayName);
    }

    [Theory]
    [InlineData("/patient", DemoAccounts.Patient)]
    [InlineData("/clinician", DemoAccounts.HospitalDoctor)]
    [InlineData("/admin/provider", DemoAccounts.HospitalAdmin)]
    [InlineData("/admin/moh", DemoAccounts.Auditor)]
    public async Task An_anonymous_visitor_is_sent_to_sign_in_and_then_back_to_the_area(string area, string email)
    {
        var page = await Fixture.NewPageAsync();

        await page.GotoAsync(area);

        await Expect(page).ToHaveURLAsync(new Regex(@"/Account/Login\?ReturnUrl="));
        await new SignInPage(page).SignInWithFormAsync(email);
        await Expect(page).ToHaveURLAsync(new Regex($"{Regex.Escape(area)}$"));
    }

    [Fact]
    public async Task A_person_new_to_the_portal_signs_in_with_singpass_and_their_patient_account_is_made_then()
    {
        var patientId = Fixture.Portal.Database.Scalar("SELECT Id FROM Patients WHERE Id NOT IN (SELECT PatientId FROM AspNetUsers WHERE PatientId IS NOT NULL) ORDER BY Id DESC LIMIT 1");
        var nric = Fixture.Portal.Database.Scalar("SELECT Nric FROM Patients WHERE Id = $id", ("$id", patientId));
        var name = Fixture.Portal.Database.Scalar("SELECT Name FROM Patients WHERE Id = $id", ("$id", patientId));
        var page = await Fixture.NewPageAsync();
        var signIn = new SignInPage(page);
        await signIn.GotoAsync();

        // PAR, the provider's page, the code, the private_key_jwt token request, the encrypted ID token, the account.
        await signIn.SignInWithSingpassAsync(nric: nric);

        await Expect(page).ToHaveURLAsync(new Regex("/patient$"));
        await Expect(page.GetByTestId("patient-name")).ToHaveTextAsync(name);
        await Expect(new AppShell(page).SignedInAs).ToHaveTextAsync(name);
        Assert.Equal("1", Fixture.Portal.Database.Scalar(
            "SELECT COUNT(*) FROM AuditEvents WHERE EventType = 'patient.enrolled' AND PatientId = $id", ("$id", patientId)));
    }

    [Fact]
    public async Task A_person_the_nehr_does_not_know_is_told_there_is_no_record_yet_and_what_to_do()
    {
        var accounts = Fixture.Portal.Database.Scalar("SELECT COUNT(*) FROM AspNetUsers");
        var page = await Fixture.NewPageAsync();
        var signIn = new SignInPage(page);
        await signIn.GotoAsync();

        await signIn.SignInWithSingpassAsync(nric: "S9876543C");

        await Expect(page).ToHaveURLAsync(new Regex("/Account/NoRecord$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "There is no NEHR record for you yet" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "What to do" })).ToBeVisibleAsync();
        Assert.Equal(accounts, Fixture.Portal.Database.Scalar("SELECT COUNT(*) FROM AspNetUsers"));
        await page.GotoAsync("/patient");
        await Expect(page).ToHaveURLAsync(new Regex(@"/Account/Login\?ReturnUrl="));
    }

    [Fact]
    public async Task Cancelling_at_singpass_brings_the_person_back_to_sign_in_with_a_plain_message()
    {
        var page = await Fixture.NewPageAsync();
        var signIn = new SignInPage(page);
        await signIn.GotoAsync();
        await signIn.SingpassButton.ClickAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel and go back" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex(@"/Account/Login\?failed=national-identity$"));
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("The Singpass sign-in did not complete");
    }

    [Fact]
    public async Task A_wrong_password_shows_an_error_and_signs_nobody_in()
    {
        var page = await Fixture.NewPageAsync();
        var signIn = new SignInPage(page);
        await signIn.GotoAsync();

        await signIn.SignInAsync(DemoAccounts.Auditor, "Not-the-passw0rd!");

        await Expect(signIn.Error).ToContainTextAsync("The email or password is incorrect");
        await Expect(page).ToHaveURLAsync(new Regex("/Account/Login"));
        await page.GotoAsync("/admin/moh");
        await Expect(page).ToHaveURLAsync(new Regex(@"/Account/Login\?ReturnUrl="));
    }

    [Fact]
    public async Task An_empty_form_is_refused_with_specific_messages()
    {
        var page = await Fixture.NewPageAsync();
        var signIn = new SignInPage(page);
        await signIn.GotoAsync();

        await signIn.SubmitButton.ClickAsync();

        await Expect(page.GetByText("Enter your email address.").First).ToBeVisibleAsync();
        await Expect(page.GetByText("Enter your password.").First).ToBeVisibleAsync();
    }

    [Theory]
    [InlineData("/clinician")]
    [InlineData("/admin/provider")]
    [InlineData("/admin/moh")]
    public async Task A_patient_cannot_open_the_clinician_or_admin_areas(string area)
    {
        var page = await Fixture.NewPageAsync();
        await new SignInPage(page).SignInAsAsync(DemoAccounts.All.Single(a => a.Email == DemoAccounts.Patient));

        await page.GotoAsync(area);

        await Expect(new AppShell(page).Heading).ToHaveTextAsync("Access denied");
        await Expect(page.GetByTestId("staff-name")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("figure-Patients in the NEHR")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_patient_following_an_in_app_link_to_another_area_is_refused_too()
    {
        var page = await Fixture.NewPageAsync();
        await new SignInPage(page).SignInAsAsync(DemoAccounts.All.Single(a => a.Email == DemoAccounts.Patient));
        await Expect(page.GetByTestId("patient-name")).ToBeVisibleAsync();

        // Client-side navigation inside the open circuit, not a fresh page load.
        var before = long.Parse(Fixture.Portal.Database.Scalar("SELECT MAX(Sequence) FROM AuditEvents"), System.Globalization.CultureInfo.InvariantCulture);
        await page.EvaluateAsync("() => Blazor.navigateTo('/admin/moh')");

        await Expect(new AppShell(page).Heading).ToHaveTextAsync("Access denied");
        await Expect(page.GetByTestId("figure-Patients in the NEHR")).ToHaveCountAsync(0);
        // No HTTP request reached the server's authorisation: the router refused it in the circuit, and audited that.
        Assert.Equal("1", Fixture.Portal.Database.Scalar(
            "SELECT COUNT(*) FROM AuditEvents WHERE Sequence > $before AND EventType = 'action.refused' AND Details LIKE '%open /admin/moh;%' "
                + "AND ActorUserId = (SELECT Id FROM AspNetUsers WHERE Email = $email)",
            ("$before", before), ("$email", DemoAccounts.Patient)));
    }

    [Fact]
    public async Task Signing_out_ends_the_session()
    {
        var page = await Fixture.NewPageAsync();
        var shell = new AppShell(page);
        await new SignInPage(page).SignInAsAsync(DemoAccounts.All.Single(a => a.Email == DemoAccounts.HospitalDoctor));

        await shell.SignOutButton.ClickAsync();

        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Sign in" }).First).ToBeVisibleAsync();
        await page.GotoAsync("/clinician");
        await Expect(page).ToHaveURLAsync(new Regex(@"/Account/Login\?ReturnUrl="));
    }

    [Fact]
    public async Task A_copied_cookie_is_worthless_after_sign_out()
    {
        var page = await Fixture.NewPageAsync();
        await new SignInPage(page).SignInAsAsync(DemoAccounts.All.Single(a => a.Email == DemoAccounts.PolyclinicNurse));
        var cookies = await page.Context.CookiesAsync();
        Assert.Contains(cookies, c => c.Name == "__Host-nehr.auth");

        await new AppShell(page).SignOutButton.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Sign in" }).First).ToBeVisibleAsync();

        // Someone replays the cookie taken before the sign-out, from another browser.
        var other = await Fixture.NewPageAsync();
        await other.Context.AddCookiesAsync(cookies.Select(c => new Cookie
        {
            Name = c.Name, Value = c.Value, Domain = c.Domain, Path = c.Path, HttpOnly = c.HttpOnly, Secure = c.Secure, SameSite = c.SameSite,
        }));
        await other.GotoAsync("/clinician");
        await Expect(other).ToHaveURLAsync(new Regex(@"/Account/Login\?ReturnUrl="));
    }

    [Fact]
    public async Task The_layout_is_interactive_once_signed_in()
    {
        var page = await Fixture.NewPageAsync();
        var shell = new AppShell(page);
        await new SignInPage(page).SignInAsAsync(DemoAccounts.All.Single(a => a.Email == DemoAccounts.Auditor));
        var link = page.GetByRole(AriaRole.Link, new() { Name = "MOH oversight" });
        await Expect(link).ToBeVisibleAsync();

        // The drawer toggle only works over a live Blazor Server circuit; the first click may come before it is up.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        var closed = false;
        while (!closed && DateTime.UtcNow < deadline)
        {
            await shell.ToggleNavigation.ClickAsync();
            await page.WaitForTimeoutAsync(500);
            closed = !await link.EvaluateAsync<bool>(
                "el => { const r = el.getBoundingClientRect(); return r.right > 0 && r.left < window.innerWidth; }");
        }

        Assert.True(closed, "The navigation drawer did not close: the circuit never became interactive.");
    }

    private static (string Path, string Heading) AreaOf(string role) => role switch
    {
        Roles.Patient => ("/patient", "My NEHR"),
        Roles.Clinician => ("/clinician", "Clinician area"),
        Roles.ProviderAdmin => ("/admin/provider", "Provider administration"),
        _ => ("/admin/moh", "MOH oversight"),
    };
    [Fact]
    public async Task The_fourth_wrong_password_warns_and_the_fifth_shows_when_the_lock_ends_and_what_to_do()
    {
        // An address with no account: it is answered exactly as a real one would be (which also keeps the demo
        // accounts of the other journeys unlocked).
        var page = await Fixture.NewPageAsync();
        var signIn = new SignInPage(page);
        await signIn.GotoAsync();
        for (var i = 1; i <= 3; i++)
        {
            await signIn.SignInAsync("nobody.at.all@nehr.demo", $"Not-the-password-{i}");
            await Expect(signIn.Error).ToContainTextAsync("The email or password is incorrect");
            await Expect(signIn.Error).Not.ToContainTextAsync("attempt left");
        }

        await signIn.SignInAsync("nobody.at.all@nehr.demo", "Not-the-password-4");
        await Expect(signIn.Error).ToContainTextAsync("1 attempt left before the account is locked for 15 minutes.");

        await signIn.SignInAsync("nobody.at.all@nehr.demo", "Not-the-password-5");
        await Expect(page).ToHaveURLAsync(new Regex("/Account/Lockout"));
        await Expect(page).ToHaveTitleAsync("Account locked");
        await Expect(page.GetByTestId("lockout-message")).ToContainTextAsync(new Regex(@"locked for 15 minutes, until \d{1,2} \w{3} \d{4}, \d\d:\d\d \(Singapore time\)"));
        var steps = page.GetByTestId("lockout-next-steps");
        await Expect(steps.GetByRole(AriaRole.Link, new() { Name = "choose a new one" })).ToHaveAttributeAsync("href", "Account/ForgotPassword");
        await Expect(steps).ToContainTextAsync("contact your provider's administrator");
    }

    [Fact]
    public async Task An_unknown_address_has_a_titled_not_found_page_with_a_way_home()
    {
        var page = await Fixture.NewPageAsync();

        var response = await page.GotoAsync("/no/such/page");

        Assert.Equal(404, response!.Status);
        await Expect(page).ToHaveTitleAsync("Page not found");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Page not found", Level = 1 })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Go to the home page" }).ClickAsync();
        await Expect(page).Not.ToHaveURLAsync(new Regex("/no/such/page"));
    }

    [Fact]
    public async Task The_active_account_tab_is_readable()
    {
        var page = await Fixture.NewPageAsync();
        await new SignInPage(page).SignInAsAsync(DemoAccounts.All.Single(a => a.Email == DemoAccounts.HospitalAdmin));

        await page.GotoAsync("/Account/Manage/ChangePassword");

        var active = page.Locator(".manage-nav a.active");
        await Expect(active).ToHaveTextAsync("Password");
        var ratio = await active.EvaluateAsync<double>(ContrastScript);
        Assert.True(ratio >= 4.5, $"contrast of the active tab {ratio:F2}:1");
    }

    /// <summary>The WCAG contrast ratio of an element's text on the first opaque background behind it.</summary>
    private const string ContrastScript = """
        el => {
          const rgb = c => (c.match(/[\d.]+/g) || []).map(Number);
          const lum = ([r, g, b]) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
            return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
          const blend = (top, bottom) => { const a = top.length > 3 ? top[3] : 1; return [0, 1, 2].map(i => top[i] * a + bottom[i] * (1 - a)); };
          const layers = [];
          for (let n = el; n; n = n.parentElement) { const c = rgb(getComputedStyle(n).backgroundColor); if (c.length > 3 && c[3] === 0) continue; layers.push(c); if (c.length === 3 || c[3] === 1) break; }
          let bg = [255, 255, 255];
          for (const layer of layers.reverse()) bg = blend(layer, bg);
          const fg = blend(rgb(getComputedStyle(el).color), bg);
          const [l1, l2] = [lum(fg), lum(bg)].sort((a, b) => b - a);
          return (l1 + 0.05) / (l2 + 0.05);
        }
        """;
}
