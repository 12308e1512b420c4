using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Nehr.Browser.Tests.Pages;
using Nehr.Core.Data.Demo;
using static Microsoft.Playwright.Assertions;

namespace Nehr.Browser.Tests;

[Collection(PortalCollection.Name)]
public sealed class ClinicianJourneyTests(PortalFixture fixture) : PortalTest(fixture)
{
    private async Task<(IPage Page, ClinicianPages Clinician)> SignInAsync(string email)
    {
        var page = await Fixture.NewPageAsync();
        await new SignInPage(page).SignInAsAsync(DemoAccounts.All.Single(a => a.Email == email));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Clinician area" })).ToBeVisibleAsync();
        return (page, new ClinicianPages(page));
    }

    [Fact]
    public async Task Restricted_patient_shows_basic_set_then_override_gives_full_record()
    {
        var (page, clinician) = await SignInAsync(DemoAccounts.HospitalDoctor);

        await clinician.FindAsync(Fixture.Portal.Database.NricOf(DemoAccounts.RestrictedPatient));

        await Expect(clinician.PatientName).ToHaveTextAsync("Muhammad Faizal bin Rahman");
        await Expect(clinician.RestrictedBanner).ToBeVisibleAsync();
        await Expect(clinician.AllergyPanel).ToBeVisibleAsync();
        // The basic set's two tabs, then every other part of the record as withheld (not missing, not empty).
        await Expect(clinician.Tabs).ToHaveCountAsync(9);
        await Expect(clinician.WithheldTabs).ToHaveCountAsync(7);
        await clinician.Tab("Laboratory results (withheld)").ClickAsync();
        var withheld = page.GetByTestId("withheld-LabResult");
        await Expect(withheld).ToContainTextAsync("Laboratory results: withheld");
        await Expect(withheld).ToContainTextAsync("with the patient's consent");
        await Expect(withheld).ToContainTextAsync("use an emergency override");
        await Expect(page.GetByTestId("table-LabResult")).ToHaveCountAsync(0);

        await clinician.RestrictedBanner.GetByRole(AriaRole.Button, new() { Name = "Emergency override" }).ClickAsync();
        await Expect(clinician.Dialog).ToBeVisibleAsync();
        await clinician.SubmitOverrideAsync();
        await Expect(clinician.Dialog.GetByText("Choose the reason for the emergency override.")).ToBeVisibleAsync();
        await Expect(clinician.Dialog.GetByTestId("attestation-error")).ToBeVisibleAsync();

        await clinician.FillOverrideAsync("Unconscious patient",
            "Brought in unconscious after a fall at home; need medication history and diagnoses before anaesthesia.", attest: true);
        await clinician.SubmitOverrideAsync();

        await Expect(clinician.Dialog).ToHaveCountAsync(0);
        await Expect(clinician.OverrideBanner).ToBeVisibleAsync();
        await Expect(clinician.OverrideBanner).ToContainTextAsync("Time left: 3 h 59 min");
        await Expect(clinician.OverrideBanner).ToHaveAttributeAsync("role", "status");
        await Expect(clinician.Tabs).ToHaveCountAsync(9);
        await Expect(clinician.WithheldTabs).ToHaveCountAsync(0);
        await clinician.TabStartingWith("Laboratory results").ClickAsync();
        await Expect(page.GetByTestId("table-LabResult")).ToBeVisibleAsync();
        await Expect(clinician.RestrictedBanner).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Escape_asks_before_a_typed_justification_is_discarded()
    {
        // Priya allows only the polyclinic, so the hospital's doctor sees her basic set.
        var (_, clinician) = await SignInAsync(DemoAccounts.HospitalDoctor);
        await clinician.FindAsync(Fixture.Portal.Database.NricOf(DemoAccounts.SelectivePatient));
        await clinician.EmergencyOverrideButton.ClickAsync();
        await Expect(clinician.Dialog).ToContainTextAsync("the patient is told now; MOH will review it");
        // After 20:00 in Singapore the window ends tomorrow, and the dialog names the day too.
        await Expect(clinician.Dialog).ToContainTextAsync(new Regex(@"for\s+4 hours, until (\d{1,2} \w{3} \d{4}, )?\d\d:\d\d \(Singapore time\)"));
        const string typed = "Collapsed at the clinic, not breathing well; need her medication list now.";
        var justification = clinician.Dialog.GetByLabel("Justification");
        await justification.FillAsync(typed);

        await justification.PressAsync("Escape");

        await Expect(clinician.DiscardQuestion).ToContainTextAsync("Discard the justification you typed?");
        await clinician.Dialog.GetByRole(AriaRole.Button, new() { Name = "Keep editing" }).ClickAsync();
        await Expect(clinician.DiscardQuestion).ToHaveCountAsync(0);
        await Expect(justification).ToHaveValueAsync(typed);

        await justification.PressAsync("Escape");
        await clinician.Dialog.GetByRole(AriaRole.Button, new() { Name = "Discard" }).ClickAsync();
        await Expect(clinician.Dialog).ToHaveCountAsync(0);
        await Expect(clinician.RestrictedBanner).ToBeVisibleAsync();
        await Expect(clinician.OverrideBanner).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task End_override_now_brings_back_the_basic_set_with_the_withheld_parts()
    {
        // The hospital's doctor overrides Priya (who allows only the polyclinic) and ends it at once: the other tests
        // that open her record as this doctor find her restricted again.
        var (_, clinician) = await SignInAsync(DemoAccounts.HospitalDoctor);
        await clinician.FindAsync(Fixture.Portal.Database.NricOf(DemoAccounts.SelectivePatient));
        await clinician.EmergencyOverrideButton.ClickAsync();
        await clinician.FillOverrideAsync("Patient unable to consent",
            "Confused after a stroke and cannot tell us which blood thinners she takes; need the medication list.", attest: true);
        await clinician.SubmitOverrideAsync();
        await Expect(clinician.OverrideBanner).ToBeVisibleAsync();
        await Expect(clinician.OverrideBanner).ToContainTextAsync("(Singapore time)");

        await clinician.EndOverrideButton.ClickAsync();
        await clinician.Dialog.GetByRole(AriaRole.Button, new() { Name = "End override now" }).ClickAsync();

        await Expect(clinician.OverrideBanner).ToHaveCountAsync(0);
        await Expect(clinician.RestrictedBanner).ToBeVisibleAsync();
        await Expect(clinician.WithheldTabs).ToHaveCountAsync(7);
        Assert.Equal("override.ended", Fixture.Portal.Database.Scalar(
            "SELECT EventType FROM AuditEvents WHERE EventType = 'override.ended' AND Outcome = 'Success' ORDER BY Sequence DESC LIMIT 1"));
    }

    [Fact]
    public async Task Filler_justification_is_refused_with_a_specific_message()
    {
        // Priya allows only the polyclinic, so the hospital's doctor sees her basic set (the test that overrides her ends it).
        var (_, clinician) = await SignInAsync(DemoAccounts.HospitalDoctor);
        await clinician.FindAsync(Fixture.Portal.Database.NricOf(DemoAccounts.SelectivePatient));
        await clinician.EmergencyOverrideButton.ClickAsync();

        await clinician.FillOverrideAsync("Life-threatening condition", "asdf asdf asdf asdf asdf asdf asdf asdf asdf asdf", attest: true);
        await clinician.SubmitOverrideAsync();

        await Expect(clinician.Dialog.GetByText(new Regex("looks like filler text"))).ToBeVisibleAsync();
        await Expect(clinician.OverrideBanner).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task An_unregistered_patient_is_refused_with_a_clear_message()
    {
        var (page, clinician) = await SignInAsync(DemoAccounts.OutsideDentist);

        await clinician.FindAsync(Fixture.Portal.Database.NricOf(DemoAccounts.Patient));

        await Expect(clinician.LookupMessage).ToHaveTextAsync("No patient with this NRIC/FIN is registered with your institution.");
        await Expect(page).ToHaveURLAsync(new Regex("/clinician$"));
    }

    [Fact]
    public async Task Only_care_purposes_are_offered_and_neither_is_called_an_emergency()
    {
        var (_, clinician) = await SignInAsync(DemoAccounts.HospitalDoctor);

        var options = await clinician.PurposeOfUse.Locator("option").AllTextContentsAsync();

        Assert.Equal(["Patient care", "Urgent care (A&E): usual access rules"], options.Select(o => o.Trim()));
    }

    [Fact]
    public async Task An_insurance_purpose_given_in_the_address_is_refused_with_an_explanation()
    {
        var (page, clinician) = await SignInAsync(DemoAccounts.HospitalDoctor);
        await clinician.FindAsync(Fixture.Portal.Database.NricOf(DemoAccounts.Patient));
        await Expect(clinician.PatientName).ToBeVisibleAsync();

        // No page offers it; a hand-made address still reaches the access rules, which refuse it (audited).
        await page.GotoAsync(Regex.Replace(page.Url, @"purpose=\w+", "purpose=HPAYMT"));

        await Expect(clinician.DeniedBanner).ToContainTextAsync("The NEHR may only be used for patient care.");
        await Expect(clinician.Tabs).ToHaveCountAsync(0);
        await Expect(clinician.PatientName).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task The_allowed_provider_sees_the_full_record_without_an_override()
    {
        var (_, clinician) = await SignInAsync(DemoAccounts.PolyclinicNurse);

        await clinician.FindAsync(Fixture.Portal.Database.NricOf(DemoAccounts.SelectivePatient));

        await Expect(clinician.PatientName).ToHaveTextAsync("Priya d/o Raman");
        await Expect(clinician.Tabs).ToHaveCountAsync(9);
        await Expect(clinician.RestrictedBanner).ToHaveCountAsync(0);
        await Expect(clinician.OverrideBanner).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task The_check_letter_is_validated_as_typed()
    {
        var (page, clinician) = await SignInAsync(DemoAccounts.HospitalDoctor);

        await clinician.Nric.PressSequentiallyAsync("S1234567A");

        await Expect(page.GetByText(new Regex("check letter of S1234567A is not valid"))).ToBeVisibleAsync();
        await clinician.Nric.FillAsync("X12");
        await Expect(page.GetByText("An NRIC or FIN starts with S, T, F, G or M.")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Lab_results_show_units_reference_ranges_and_flags()
    {
        var (page, clinician) = await SignInAsync(DemoAccounts.HospitalDoctor);
        await clinician.FindAsync(Fixture.Portal.Database.NricOf(DemoAccounts.Patient));

        await clinician.TabStartingWith("Laboratory results").ClickAsync();

        var table = page.GetByTestId("table-LabResult");
        await Expect(table.GetByRole(AriaRole.Columnheader, new() { Name = "Reference range" })).ToBeVisibleAsync();
        await Expect(table.GetByTestId("lab-value").First).ToHaveTextAsync(new Regex(@"\d.*(g/dL|%|mmol/L|umol/L|U/L)"));
    }

    [Fact]
    public async Task The_record_tabs_work_from_the_keyboard_and_the_arrows_only_move_the_focus()
    {
        var (page, clinician) = await SignInAsync(DemoAccounts.HospitalDoctor);
        await clinician.FindAsync(Fixture.Portal.Database.NricOf(DemoAccounts.Patient));
        var allergies = clinician.TabStartingWith("Allergies");
        await Expect(allergies).ToHaveAttributeAsync("aria-selected", "true");

        await allergies.FocusAsync();
        await page.Keyboard.PressAsync("ArrowRight");

        var vaccinations = clinician.TabStartingWith("Vaccinations");
        await Expect(vaccinations).ToBeFocusedAsync();
        await Expect(allergies).ToHaveAttributeAsync("aria-selected", "true");
        await Expect(page.GetByTestId("table-Allergy")).ToBeVisibleAsync();

        await page.Keyboard.PressAsync("ArrowLeft");
        await page.Keyboard.PressAsync("ArrowLeft");
        var summaries = clinician.TabStartingWith("Summaries and notes");
        await Expect(summaries).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Home");
        await page.Keyboard.PressAsync("ArrowRight");
        await page.Keyboard.PressAsync("Enter");

        await Expect(vaccinations).ToHaveAttributeAsync("aria-selected", "true");
        await Expect(allergies).ToHaveAttributeAsync("aria-selected", "false");
        await Expect(page.GetByRole(AriaRole.Tabpanel, new() { Name = (await vaccinations.TextContentAsync())!.Trim() }))
            .ToContainTextAsync("Vaccine");
    }

    [Fact]
    public async Task A_suspended_clinician_is_refused_on_the_next_action_in_an_open_tab()
    {
        var (_, clinician) = await SignInAsync(DemoAccounts.PolyclinicNurse);
        await clinician.FindAsync(Fixture.Portal.Database.NricOf(DemoAccounts.Patient));
        await Expect(clinician.Tabs).ToHaveCountAsync(9);

        // MOH suspends the nurse's NEHR access while the record is open.
        var nurse = Fixture.Portal.Database.Scalar("SELECT PersonnelId FROM AspNetUsers WHERE Email = $e", ("$e", DemoAccounts.PolyclinicNurse));
        Fixture.Portal.Database.Execute("UPDATE Personnel SET NehrAccessSuspended = 1 WHERE Id = $id", ("$id", nurse));
        try
        {
            await clinician.TabStartingWith("Diagnoses").ClickAsync();

            await Expect(clinician.DeniedBanner).ToContainTextAsync("Your NEHR access is suspended by MOH.");
            await Expect(clinician.Tabs).ToHaveCountAsync(0);
        }
        finally
        {
            Fixture.Portal.Database.Execute("UPDATE Personnel SET NehrAccessSuspended = 0 WHERE Id = $id", ("$id", nurse));
        }
    }
}
