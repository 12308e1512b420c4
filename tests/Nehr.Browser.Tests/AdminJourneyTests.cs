using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Nehr.Browser.Tests.Pages;
using Nehr.Core.Data.Demo;
using static Microsoft.Playwright.Assertions;

namespace Nehr.Browser.Tests;

[Collection(PortalCollection.Name)]
public sealed class AdminJourneyTests(PortalFixture fixture) : PortalTest(fixture)
{
    private async Task<IPage> SignInAsync(string email)
    {
        var page = await Fixture.NewPageAsync();
        await new SignInPage(page).SignInAsAsync(DemoAccounts.All.Single(a => a.Email == email));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
        return page;
    }

    [Fact]
    public async Task An_auditor_reviews_an_override_with_its_justification_and_accesses()
    {
        // The polyclinic's nurse breaks the glass for the patient who restricts everyone.
        var nursePage = await SignInAsync(DemoAccounts.PolyclinicNurse);
        var nurse = new ClinicianPages(nursePage);
        await nurse.FindAsync(Fixture.Portal.Database.NricOf(DemoAccounts.RestrictedPatient));
        await nurse.EmergencyOverrideButton.ClickAsync();
        const string justification = "Found collapsed in the waiting room, not responding; need allergies and medications before treatment.";
        await nurse.FillOverrideAsync("Life-threatening condition", justification, attest: true);
        await nurse.SubmitOverrideAsync();
        await Expect(nurse.OverrideBanner).ToBeVisibleAsync();

        var page = await SignInAsync(DemoAccounts.Auditor);
        await page.GotoAsync("/admin/moh/reviews");
        var item = page.GetByTestId("override-item").Filter(new() { HasText = "Nurse Wong Hui Min" });
        await Expect(item).ToHaveCountAsync(1);
        await item.GetByRole(AriaRole.Link).ClickAsync();

        await Expect(page.GetByTestId("justification")).ToHaveTextAsync(justification);
        await Expect(page.GetByTestId("override-access")).ToHaveCountAsync(2); // the grant and the read that followed
        await page.GetByTestId("submit-review").ClickAsync();
        await Expect(page.GetByTestId("verdict-error")).ToHaveTextAsync("Choose a verdict: appropriate or inappropriate.");
        await page.GetByLabel("Inappropriate").CheckAsync();
        await page.GetByTestId("submit-review").ClickAsync();
        await Expect(page.GetByText("Record the findings that make this override inappropriate.")).ToBeVisibleAsync();

        await page.GetByLabel("Findings").FillAsync("The patient was conscious and able to consent; the nurse should have asked.");
        await page.GetByLabel("Refer the clinician to their professional body").CheckAsync();
        await page.GetByTestId("submit-review").ClickAsync();
        await Expect(page.GetByTestId("referral-body-error")).ToHaveTextAsync("Choose the professional body the clinician is referred to.");
        await page.GetByLabel("Professional body", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Singapore Nursing Board" });
        await page.GetByTestId("submit-review").ClickAsync();

        await Expect(page.GetByTestId("review-status")).ToHaveTextAsync("Inappropriate");
        await Expect(page.GetByTestId("review-findings")).ToContainTextAsync("able to consent");
        await Expect(page.GetByTestId("review-form")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("referral-body")).ToHaveTextAsync("Singapore Nursing Board");
        await Expect(page.GetByTestId("referral-outcome")).ToHaveTextAsync("Awaited");

        // Months later the board's decision comes back: the auditor records it once.
        await page.GetByLabel("The body's reference").FillAsync("SNB/2026/0031");
        await page.GetByLabel("Outcome").FillAsync("Professional misconduct found.");
        await page.GetByLabel("Penalty (empty: none)").FillAsync("Censure and a fine of S$2,000.");
        await page.GetByTestId("submit-outcome").ClickAsync();
        await Expect(page.GetByTestId("referral-penalty")).ToHaveTextAsync("Censure and a fine of S$2,000.");
        await Expect(page.GetByTestId("referral-reference")).ToHaveTextAsync("SNB/2026/0031");
        await Expect(page.GetByTestId("referral-outcome-form")).ToHaveCountAsync(0);
        Assert.Equal("Inappropriate", Fixture.Portal.Database.Scalar(
            "SELECT o.ReviewStatus FROM EmergencyOverrides o JOIN AspNetUsers u ON u.PersonnelId = o.PersonnelId WHERE u.Email = $e", ("$e", DemoAccounts.PolyclinicNurse)));
    }

    [Fact]
    public async Task A_suspension_by_an_moh_administrator_takes_effect_in_the_clinicians_open_tab()
    {
        var clinicianPage = await SignInAsync(DemoAccounts.PolyclinicNurse);
        var clinician = new ClinicianPages(clinicianPage);
        await clinician.FindAsync(Fixture.Portal.Database.NricOf(DemoAccounts.Patient));
        await Expect(clinician.Tabs).ToHaveCountAsync(9);

        var admin = await SignInAsync(DemoAccounts.MohAdmin);
        await admin.GotoAsync("/admin/moh/suspensions");
        await Expect(admin.GetByTestId("providers-table").GetByRole(AriaRole.Row).Filter(new() { HasText = "YGP01" }))
            .ToContainTextAsync("Not onboarded");
        try
        {
            await admin.GetByLabel("Name or e-mail").FillAsync("nurse.wong");
            await admin.GetByTestId("find-person").ClickAsync();
            var row = admin.GetByTestId("person-row").Filter(new() { HasText = "Nurse Wong Hui Min" });
            await row.GetByTestId("toggle-person").ClickAsync();
            var dialog = admin.GetByRole(AriaRole.Dialog);
            await dialog.GetByTestId("confirm-action").ClickAsync();
            await Expect(dialog.GetByText("Give the reason for this corrective action (at least 10 characters).")).ToBeVisibleAsync();
            await dialog.GetByLabel("Reason (recorded in the audit trail)").FillAsync("Reported access under investigation by MOH.");
            await dialog.GetByTestId("confirm-action").ClickAsync();
            await Expect(row.GetByTestId("person-state")).ToHaveTextAsync("Suspended");

            // The clinician's tab was open all along: the next action is refused.
            await clinician.TabStartingWith("Diagnoses").ClickAsync();
            await Expect(clinician.DeniedBanner).ToContainTextAsync("Your NEHR access is suspended by MOH.");
            await Expect(clinician.Tabs).ToHaveCountAsync(0);

            await row.GetByTestId("toggle-person").ClickAsync();
            await dialog.GetByLabel("Reason (recorded in the audit trail)").FillAsync("Investigation closed without findings.");
            await dialog.GetByTestId("confirm-action").ClickAsync();
            await Expect(row.GetByTestId("person-state")).ToHaveTextAsync("Active");
        }
        finally
        {
            Fixture.Portal.Database.Execute(
                "UPDATE Personnel SET NehrAccessSuspended = 0 WHERE Id = (SELECT PersonnelId FROM AspNetUsers WHERE Email = $e)", ("$e", DemoAccounts.PolyclinicNurse));
        }
    }

    [Fact]
    public async Task A_directive_goes_from_issue_to_acknowledgement_to_attestation()
    {
        var moh = await SignInAsync(DemoAccounts.MohAdmin);
        await moh.GotoAsync("/admin/moh/directives");
        await moh.GetByLabel("To provider").ClickAsync();
        await moh.GetByRole(AriaRole.Option, new() { Name = "Central General Hospital (CGH01)" }).ClickAsync();
        await moh.GetByLabel("Order").ClickAsync();
        await moh.GetByRole(AriaRole.Option, new() { Name = "Destroy information collected in an unauthorised manner" }).ClickAsync();
        // Two weeks from today in Singapore unless changed; the deadline is the end of that day, Singapore time.
        var deadline = Nehr.Core.NehrCalendar.Today(DateTime.UtcNow).AddDays(14);
        await Expect(moh.GetByLabel("Deadline (last day)")).ToHaveValueAsync(deadline.ToString("d MMM yyyy", CultureInfo.InvariantCulture));
        await moh.GetByTestId("issue-directive").ClickAsync();
        await Expect(moh.GetByTestId("issue-error")).ToContainTextAsync("Say what the provider must do");
        await moh.GetByLabel("Instructions").FillAsync("Destroy the NEHR printouts kept in the ward offices and confirm how.");
        await moh.GetByTestId("issue-directive").ClickAsync();
        var issued = moh.GetByTestId("directive").Filter(new() { HasText = "NEHR printouts" });
        await Expect(issued.GetByTestId("directive-status")).ToHaveTextAsync("Awaiting acknowledgement");
        await Expect(issued.GetByTestId("directive-dates")).ToContainTextAsync($"deadline end of {deadline.ToString("d MMM yyyy", CultureInfo.InvariantCulture)}");
        await Expect(issued.GetByTestId("directive-dates")).Not.ToContainTextAsync("UTC");

        var admin = await SignInAsync(DemoAccounts.HospitalAdmin);
        await admin.GotoAsync("/admin/provider/directives");
        var card = admin.GetByTestId("directive").Filter(new() { HasText = "NEHR printouts" });
        await card.GetByTestId("acknowledge").ClickAsync();
        await Expect(card.GetByTestId("directive-status")).ToHaveTextAsync("Acknowledged");
        await card.GetByLabel("What was done (attestation)").FillAsync("Too short");
        await card.GetByTestId("attest").ClickAsync();
        await Expect(card.GetByTestId("directive-error")).ToContainTextAsync("at least 20 characters");
        await card.GetByLabel("What was done (attestation)").FillAsync("All printouts were shredded under supervision on every ward.");
        await card.GetByTestId("attest").ClickAsync();
        await Expect(card.GetByTestId("directive-status")).ToHaveTextAsync("Done");

        await moh.ReloadAsync();
        await Expect(issued.GetByTestId("directive-status")).ToHaveTextAsync("Done");
        await Expect(issued.GetByTestId("directive-attestation")).ToContainTextAsync("shredded under supervision");
    }

    [Fact]
    public async Task A_system_goes_from_application_to_credentials()
    {
        var admin = await SignInAsync(DemoAccounts.HospitalAdmin);
        await admin.GotoAsync("/admin/provider/systems");
        await admin.GetByLabel("System name").FillAsync("Ward EMR");
        await admin.GetByTestId("apply").ClickAsync();
        var key = await admin.GetByTestId("connectivity-key").TextContentAsync();
        Assert.StartsWith("nehr-ct-", key, StringComparison.Ordinal);
        var row = admin.GetByTestId("system-row").Filter(new() { HasText = "Ward EMR" });
        await Expect(row.GetByTestId("connectivity")).ToHaveTextAsync("Not yet");

        // The provider's system makes its test call with the key.
        using (var http = new HttpClient { BaseAddress = Fixture.Portal.BaseAddress })
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/onboarding/connectivity-test"))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await admin.GetByTestId("refresh-systems").ClickAsync();
        await Expect(row.GetByTestId("connectivity")).ToHaveTextAsync(new Regex("^Passed"));

        var moh = await SignInAsync(DemoAccounts.MohAdmin);
        await moh.GotoAsync("/admin/moh/systems");
        var card = moh.GetByTestId("system-card").Filter(new() { HasText = "Ward EMR" });
        await Expect(card.GetByTestId("approve")).ToBeDisabledAsync();
        foreach (var item in Nehr.Core.Contribution.SystemConnection.Checklist)
        {
            var box = card.GetByLabel(Nehr.Core.Contribution.SystemConnection.SecurityItemText(item));
            await box.CheckAsync();
            await Expect(box).ToBeCheckedAsync();
        }

        await card.GetByTestId("approve").ClickAsync();
        var secret = await moh.GetByTestId("client-secret").TextContentAsync();
        await Expect(moh.GetByTestId("client-id")).ToHaveTextAsync(new Regex("^nehr-system-\\d+$"));
        await Expect(card.GetByTestId("system-state")).ToHaveTextAsync("Approved");

        var stored = Fixture.Portal.Database.Scalar("SELECT ClientSecretHash FROM SystemConnections WHERE Name = 'Ward EMR'");
        Assert.StartsWith("pbkdf2-sha256$", stored, StringComparison.Ordinal);
        Assert.DoesNotContain(secret!, stored, StringComparison.Ordinal);
        Assert.True(Nehr.Core.Contribution.ClientSecrets.Verify(secret, stored));
    }

    [Fact]
    public async Task An_auditor_searches_the_trail_exports_it_and_verifies_it()
    {
        var page = await SignInAsync(DemoAccounts.Auditor);
        await page.GotoAsync("/admin/moh/audit");
        await Expect(page.GetByTestId("audit-row").First).ToBeVisibleAsync();

        await page.GetByLabel("Patient NRIC/FIN").FillAsync("S1234567A");
        await page.GetByTestId("search").ClickAsync();
        await Expect(page.GetByTestId("search-error")).ToContainTextAsync("check letter");

        await page.GetByLabel("Patient NRIC/FIN").FillAsync(string.Empty);
        await page.GetByLabel("Event type").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "system.demo-data-seeded", Exact = true }).ClickAsync();
        await page.GetByTestId("search").ClickAsync();
        await Expect(page.GetByTestId("audit-row")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("audit-type")).ToHaveTextAsync("system.demo-data-seeded");

        var lines = await new AdminPages(page).ExportAsync();
        Assert.StartsWith("Sequence,When,When (ISO 8601),Event", lines[0], StringComparison.Ordinal);
        Assert.Equal(2, lines.Length);
        Assert.Contains(",system.demo-data-seeded,", lines[1], StringComparison.Ordinal);
        // The time as shown on screen (Singapore), then the same moment in ISO 8601 with its offset.
        var shown = await page.GetByTestId("audit-when").TextContentAsync();
        Assert.Matches(new Regex("^\\d+,\"" + Regex.Escape(shown!.Trim()) + "\",\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}\\+08:00,"), lines[1]);

        await page.GetByTestId("verify").ClickAsync();
        await Expect(page.GetByTestId("verification")).ToContainTextAsync("Intact");
    }

    [Fact]
    public async Task An_auditor_proves_an_event_is_in_the_signed_log_and_the_proof_checks_with_the_public_key_alone()
    {
        var page = await SignInAsync(DemoAccounts.Auditor);
        await page.GotoAsync("/admin/moh/audit");
        var number = page.GetByLabel("Event number");
        await page.GetByTestId("prove").ClickAsync();
        await Expect(page.GetByTestId("prove-error")).ToContainTextAsync("Enter the number of an audit event");

        // The demo data's events were signed in the checkpoint at start.
        await number.FillAsync("1");
        await page.GetByTestId("prove").ClickAsync();
        await Expect(page.GetByTestId("proof")).ToContainTextAsync("Event 1 is in the signed log: position 1 of chain 1, under signed checkpoint");
        var proofHref = await page.GetByTestId("proof-download").GetAttributeAsync("href");
        var keyHref = await page.GetByTestId("key-download").GetAttributeAsync("href");
        Assert.StartsWith("data:application/json;base64,", proofHref, StringComparison.Ordinal);
        var proof = Nehr.Core.Audit.InclusionProof.FromJson(Decode(proofHref!));
        Assert.NotNull(proof);
        var keyPem = Decode(keyHref!);
        Assert.DoesNotContain("PRIVATE", keyPem, StringComparison.Ordinal);
        using (var key = Nehr.Core.Audit.CheckpointSigner.FromPublicPem(keyPem, "the downloaded key"))
        {
            Assert.Null(proof.Check(key));
        }

        // An event that does not exist: said so, and nothing offered.
        await number.FillAsync("99999999");
        await page.GetByTestId("prove").ClickAsync();
        await Expect(page.GetByTestId("prove-error")).ToContainTextAsync("There is no audit event 99,999,999.");
        await Expect(page.GetByTestId("proof")).ToHaveCountAsync(0);

        static string Decode(string href) => System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(href[(href.IndexOf(',', StringComparison.Ordinal) + 1)..]));
    }

    [Fact]
    public async Task The_audit_export_is_the_search_shown_even_after_the_fields_are_edited()
    {
        var page = await SignInAsync(DemoAccounts.Auditor);
        await page.GotoAsync("/admin/moh/audit");
        var audit = new AdminPages(page);
        await Expect(audit.AuditRows.First).ToBeVisibleAsync();
        await audit.ChooseEventTypeAsync("system.demo-data-seeded");
        await audit.AuditSearchButton.ClickAsync();
        await Expect(audit.AuditRows).ToHaveCountAsync(1);
        var sequence = (await audit.AuditRows.First.Locator("td").First.TextContentAsync())!.Trim();

        // The auditor types another patient's NRIC/FIN but does not search: the screen still shows the last search.
        await audit.AuditPatient.FillAsync(Fixture.Portal.Database.NricOf(DemoAccounts.Patient));
        await audit.AuditPatient.PressAsync("Tab");
        await Expect(page.GetByTestId("export-note")).ToContainTextAsync("the results and the export are of the last search");
        var lines = await audit.ExportAsync();

        Assert.Equal(2, lines.Length);
        Assert.StartsWith(sequence + ",", lines[1], StringComparison.Ordinal);
        Assert.Contains(",system.demo-data-seeded,", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_administrator_is_offered_no_change_of_their_own_role_nor_their_own_deactivation()
    {
        var page = await SignInAsync(DemoAccounts.HospitalAdmin);
        await page.GotoAsync("/admin/provider/personnel");
        var admin = new AdminPages(page);

        var own = admin.PersonnelRow("Ong Shu Fen");
        await Expect(own.GetByTestId("own-row")).ToContainTextAsync("another administrator of your provider changes it");
        await Expect(own.GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
        await Expect(admin.PersonnelRow("Dr Lee Wei Jie").GetByRole(AriaRole.Button, new() { Name = "Change role of Dr Lee Wei Jie" })).ToBeVisibleAsync();

        // Opening another person's role and saving what is recorded is not offered either.
        await admin.PersonnelRow("Dr Lee Wei Jie").GetByRole(AriaRole.Button, new() { Name = "Change role of Dr Lee Wei Jie" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Dialog).GetByTestId("save-role")).ToBeDisabledAsync();
    }

    [Theory]
    [InlineData(DemoAccounts.HospitalDoctor, "/admin/provider/personnel")]
    [InlineData(DemoAccounts.HospitalDoctor, "/admin/moh/audit")]
    [InlineData(DemoAccounts.HospitalAdmin, "/admin/moh/reviews")]
    [InlineData(DemoAccounts.HospitalAdmin, "/admin/moh/suspensions")]
    [InlineData(DemoAccounts.Auditor, "/admin/moh/suspensions")]
    [InlineData(DemoAccounts.Auditor, "/admin/provider/registrations")]
    [InlineData(DemoAccounts.MohAdmin, "/admin/moh/reviews/overrides/1")]
    [InlineData(DemoAccounts.MohAdmin, "/admin/moh/audit")]
    [InlineData(DemoAccounts.Patient, "/admin/moh/systems")]
    public async Task Each_admin_page_refuses_the_other_roles(string email, string path)
    {
        var page = await SignInAsync(email);

        await page.GotoAsync(path);

        await Expect(new AppShell(page).Heading).ToHaveTextAsync("Access denied");
    }

    [Fact]
    public async Task The_audit_export_refuses_anyone_but_an_auditor()
    {
        var page = await SignInAsync(DemoAccounts.MohAdmin);

        var response = await page.APIRequest.GetAsync("/admin/moh/audit.csv", new() { MaxRedirects = 0 });

        Assert.NotEqual(200, response.Status);
        Assert.DoesNotContain("Sequence,When", await response.TextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_administrator_creates_an_account_whose_temporary_password_must_be_changed_then_deactivates_the_leaver()
    {
        var admin = await SignInAsync(DemoAccounts.HospitalAdmin);
        await admin.GotoAsync("/admin/provider/personnel");
        await admin.GetByTestId("create-account").ClickAsync();
        await Expect(admin.GetByTestId("create-error")).ToContainTextAsync("Enter the person's name");

        await admin.GetByLabel("Full name").FillAsync("Dr Tan Wei Ming");
        await admin.GetByLabel("Work e-mail (sign-in name)").FillAsync("tan.wm@cgh.example.sg");
        await admin.GetByLabel("Professional role").ClickAsync();
        await admin.GetByRole(AriaRole.Option, new() { Name = "Doctor", Exact = true }).ClickAsync();
        // The choice has reached the form (the list has closed and the field shows it) before the account is created.
        await Expect(admin.GetByRole(AriaRole.Option)).ToHaveCountAsync(0);
        await Expect(admin.GetByLabel("Professional role")).ToContainTextAsync("Doctor");
        await admin.GetByTestId("create-account").ClickAsync();
        var password = await admin.GetByTestId("temporary-password").TextContentAsync();
        Assert.Equal(16, password!.Length);
        var row = admin.GetByRole(AriaRole.Row).Filter(new() { HasText = "Dr Tan Wei Ming" });
        await Expect(row.GetByTestId("person-access")).ToHaveTextAsync("Yes (in care)");

        // The new doctor signs in with the temporary password and must choose their own first.
        var doctor = await Fixture.NewPageAsync();
        var signIn = new SignInPage(doctor);
        await signIn.GotoAsync();
        await signIn.SignInAsync("tan.wm@cgh.example.sg", password);
        await Expect(doctor).ToHaveURLAsync(new Regex("/Account/Manage/ChangePassword"));
        await Expect(doctor.GetByTestId("must-change-password")).ToBeVisibleAsync();
        await doctor.GetByLabel("Old password").FillAsync(password);
        await doctor.GetByLabel("New password").FillAsync("My-Own-Passw0rd!");
        await doctor.GetByLabel("Confirm password").FillAsync("My-Own-Passw0rd!");
        await doctor.GetByRole(AriaRole.Button, new() { Name = "Update password" }).ClickAsync();

        // Then, as staff, they set up their second factor before the clinician area opens.
        await Expect(doctor).ToHaveURLAsync(new Regex("/Account/Manage/EnableAuthenticator"));
        await doctor.GotoAsync("/clinician");
        await Expect(new AppShell(doctor).Heading).ToHaveTextAsync("Access denied");
        await Expect(doctor.GetByText("Staff areas need a sign-in with a second factor.")).ToBeVisibleAsync();
        await doctor.GotoAsync("/Account/Manage/EnableAuthenticator?required=true");
        var key = await doctor.GetByTestId("authenticator-key").TextContentAsync();
        await doctor.GetByLabel("Verification code").FillAsync(await SignInPage.NextCodeAsync("tan.wm@cgh.example.sg", key!));
        await doctor.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await Expect(doctor.GetByText("Put these codes in a safe place.")).ToBeVisibleAsync();
        await doctor.GotoAsync("/clinician");
        await Expect(doctor.GetByTestId("staff-name")).ToHaveTextAsync("Dr Tan Wei Ming");

        // The doctor leaves: deactivated, they can no longer sign in.
        await row.GetByRole(AriaRole.Button, new() { Name = "Deactivate Dr Tan Wei Ming" }).ClickAsync();
        await admin.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Deactivate" }).ClickAsync();
        await Expect(row.GetByTestId("person-access")).ToHaveTextAsync("Left (deactivated)");
        var again = await Fixture.NewPageAsync();
        await new SignInPage(again).GotoAsync();
        await new SignInPage(again).SignInAsync("tan.wm@cgh.example.sg", "My-Own-Passw0rd!");
        await Expect(new SignInPage(again).Error).ToContainTextAsync("the account is locked");
        await again.GotoAsync("/clinician");
        await Expect(again).ToHaveURLAsync(new Regex("/Account/Login"));
    }

    [Fact]
    public async Task Deactivating_a_person_cuts_off_their_open_circuit_when_it_next_revalidates()
    {
        var doctor = await SignInAsync(DemoAccounts.HospitalDoctor);
        await doctor.GotoAsync("/clinician");
        await Expect(doctor.GetByTestId("staff-name")).ToHaveTextAsync("Dr Lee Wei Jie");

        var admin = await SignInAsync(DemoAccounts.HospitalAdmin);
        await admin.GotoAsync("/admin/provider/personnel");
        try
        {
            var row = admin.GetByRole(AriaRole.Row).Filter(new() { HasText = "Dr Lee Wei Jie" });
            await row.GetByRole(AriaRole.Button, new() { Name = "Deactivate Dr Lee Wei Jie" }).ClickAsync();
            await admin.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Deactivate" }).ClickAsync();
            await Expect(row.GetByTestId("person-access")).ToHaveTextAsync("Left (deactivated)");

            // Nothing is clicked in the doctor's tab: the circuit revalidates (every 30 s; every 5 s in these tests)
            // and sends them to sign in.
            await Expect(doctor).ToHaveURLAsync(new Regex("/Account/Login"), new() { Timeout = 20_000 });
        }
        finally
        {
            var database = Fixture.Portal.Database;
            database.Execute("UPDATE Personnel SET IsActive = 1, InvolvedInCare = 1 WHERE Id = (SELECT PersonnelId FROM AspNetUsers WHERE Email = $e)", ("$e", DemoAccounts.HospitalDoctor));
            database.Execute("UPDATE AspNetUsers SET LockoutEnd = NULL WHERE Email = $e", ("$e", DemoAccounts.HospitalDoctor));
        }
    }
}
