using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Nehr.Browser.Tests.Pages;
using static Microsoft.Playwright.Assertions;

namespace Nehr.Browser.Tests;

/// <summary>
/// Caregivers and representatives in a real browser: a patient invites a caregiver, who accepts, acts for them under a
/// banner that names whose record it is, and is ended; a parent acts for a child until the child turns 14, and the
/// page open at that moment says why it stopped.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class RepresentativeJourneyTests(PortalFixture fixture) : PortalTest(fixture)
{
    private (string Nric, string Name) Person(int offset) => Fixture.PersonWithoutAccount(offset);

    private Task<IPage> SignInAsync(string nric) => Fixture.SignedInWithSingpassAsync(nric);

    [Fact]
    public async Task A_patient_invites_a_caregiver_who_accepts_acts_for_them_under_a_banner_and_is_ended()
    {
        var patient = Person(30);
        var caregiver = Person(31);
        var patientPage = await SignInAsync(patient.Nric);
        var caregiverPage = await SignInAsync(caregiver.Nric);

        // The patient invites the caregiver: see the record and the access history (the defaults).
        await patientPage.GotoAsync("/patient/caregivers");
        await patientPage.GetByLabel("Their NRIC/FIN").FillAsync(caregiver.Nric);
        await patientPage.GetByTestId("invite").ClickAsync();
        await Expect(patientPage.GetByTestId("act-for-me")).ToContainTextAsync("Waiting for them to accept");

        // The caregiver accepts after signing in as themselves, and acts for the patient.
        await caregiverPage.GotoAsync("/patient/caregivers");
        await caregiverPage.GetByRole(AriaRole.Button, new() { Name = $"Accept the invitation of {patient.Name}" }).ClickAsync();
        await caregiverPage.GetByRole(AriaRole.Button, new() { Name = $"Act for them ({patient.Name})" }).ClickAsync();
        await Expect(caregiverPage).ToHaveURLAsync(new Regex("/patient/record$"));
        await Expect(caregiverPage.GetByTestId("acting-banner")).ToContainTextAsync($"You are acting for {patient.Name}");
        await Expect(caregiverPage.GetByRole(AriaRole.Heading, new() { Name = $"Record of {patient.Name}" })).ToBeVisibleAsync();

        // What they may not do is refused on the page, with the reason.
        await caregiverPage.GetByRole(AriaRole.Navigation, new() { Name = "Patient area" }).GetByRole(AriaRole.Link, new() { Name = "Who may see my record" }).ClickAsync();
        await Expect(caregiverPage.GetByTestId("refused")).ToContainTextAsync("it does not allow this");

        // The patient sees what the caregiver did, then ends it.
        await patientPage.GotoAsync("/patient/history");
        await Expect(patientPage.GetByTestId("representative-activity")).ToContainTextAsync("Looked at your record");
        await Expect(patientPage.GetByTestId("representative-activity")).ToContainTextAsync(caregiver.Name);
        await patientPage.GotoAsync("/patient/caregivers");
        await patientPage.GetByRole(AriaRole.Button, new() { Name = $"End {caregiver.Name}" }).ClickAsync();
        await Expect(patientPage.GetByText("Nobody can act for you.")).ToBeVisibleAsync();

        // The caregiver's open page: the next step is refused, and the banner says why.
        await caregiverPage.GetByRole(AriaRole.Navigation, new() { Name = "Patient area" }).GetByRole(AriaRole.Link, new() { Name = "Who accessed my record" }).ClickAsync();
        await Expect(caregiverPage.GetByTestId("acting-banner")).ToContainTextAsync($"You can no longer act for {patient.Name}: it was ended (ended by the patient)");
        await Expect(caregiverPage.GetByTestId("refused")).ToBeVisibleAsync();
        await caregiverPage.GetByTestId("act-as-myself").ClickAsync();
        await Expect(caregiverPage.GetByTestId("acting-banner")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task An_moh_administrator_records_a_deputy_who_acts_at_once_until_the_order_expires()
    {
        var patient = Person(40);
        var deputy = Person(41);
        var moh = await Fixture.NewPageAsync();
        await new SignInPage(moh).SignInAsAsync(Nehr.Core.Data.Demo.DemoAccounts.All.Single(a => a.Email == Nehr.Core.Data.Demo.DemoAccounts.MohAdmin));

        await moh.GotoAsync("/admin/moh/representatives");
        await moh.GetByLabel("Patient's NRIC/FIN").FillAsync(patient.Nric);
        await moh.GetByLabel("Representative's NRIC/FIN").FillAsync(patient.Nric);
        await moh.GetByLabel("Appointment").ClickAsync();
        await moh.GetByRole(AriaRole.Option, new() { Name = "Court-appointed deputy" }).ClickAsync();
        await moh.GetByLabel("Order or LPA reference").FillAsync("FC/OSM 77/2026");
        var expires = DateTime.UtcNow.AddHours(8).Date.AddDays(30).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await moh.GetByLabel("Order expires on (Singapore date)").FillAsync(expires);
        await moh.GetByLabel("Order expires on (Singapore date)").PressAsync("Tab");

        // The same person on both sides is refused, with the field named; nothing is recorded.
        await moh.GetByTestId("appoint").ClickAsync();
        await Expect(moh.GetByTestId("appoint-error")).ToContainTextAsync("The representative cannot be the patient");
        await moh.GetByLabel("Representative's NRIC/FIN").FillAsync(deputy.Nric);
        await moh.GetByTestId("appoint").ClickAsync();
        await Expect(moh.GetByTestId("appointments")).ToContainTextAsync("FC/OSM 77/2026");

        // The deputy signs in as themselves and acts for the patient at once: the patient did nothing.
        var page = await SignInAsync(deputy.Nric);
        await page.GotoAsync("/patient/caregivers");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Act for them ({patient.Name})" }).ClickAsync();
        await Expect(page.GetByTestId("acting-banner")).ToContainTextAsync($"You are acting for {patient.Name} (court-appointed deputy");

        // The order expires while the page is open (brought to a minute ago: the portal's clock is the machine's).
        Fixture.Portal.Database.Execute("UPDATE Representations SET EndsAtUtc = $end WHERE OrderReference = 'FC/OSM 77/2026'",
            ("$end", DateTime.UtcNow.AddMinutes(-1).ToString("yyyy-MM-dd HH:mm:ss.fffffff", System.Globalization.CultureInfo.InvariantCulture)));
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Patient area" }).GetByRole(AriaRole.Link, new() { Name = "Who accessed my record" }).ClickAsync();
        await Expect(page.GetByTestId("acting-banner")).ToContainTextAsync("the order expired");
    }

    [Fact]
    public async Task A_parent_acts_for_a_child_until_the_child_turns_14_and_the_open_page_then_says_why()
    {
        // The demo register links a parent to every demo child under 14.
        var link = Fixture.Portal.Database.Scalar("SELECT Id FROM Representations WHERE Kind = 'ParentOfChild' AND State = 'Active' ORDER BY Id LIMIT 1");
        var parentNric = Fixture.Portal.Database.Scalar("SELECT RepresentativeNric FROM Representations WHERE Id = $id", ("$id", link));
        var child = Fixture.Portal.Database.Scalar("SELECT p.Name FROM Patients p JOIN Representations r ON r.PatientId = p.Id WHERE r.Id = $id", ("$id", link));
        var page = await SignInAsync(parentNric);

        await page.GotoAsync("/patient/caregivers");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Act for them ({child})" }).ClickAsync();
        await Expect(page.GetByTestId("acting-banner")).ToContainTextAsync($"You are acting for {child} (parent of a child under 14");
        await Expect(page.GetByTestId("my-demographics")).ToContainTextAsync(child);

        // The child's 14th birthday comes while the page is open (the portal's clock is the machine's here: the link's
        // end is brought to a minute ago instead).
        Fixture.Portal.Database.Execute("UPDATE Representations SET EndsAtUtc = $end WHERE Id = $id",
            ("$end", DateTime.UtcNow.AddMinutes(-1).ToString("yyyy-MM-dd HH:mm:ss.fffffff", System.Globalization.CultureInfo.InvariantCulture)), ("$id", link));
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Patient area" }).GetByRole(AriaRole.Link, new() { Name = "Who accessed my record" }).ClickAsync();

        await Expect(page.GetByTestId("acting-banner")).ToContainTextAsync($"You can no longer act for {child}: the child turned 14");
        await Expect(page.GetByTestId("refused")).ToContainTextAsync("the child turned 14");
    }
}
