using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Nehr.Browser.Tests.Pages;
using Nehr.Core.Data.Demo;
using static Microsoft.Playwright.Assertions;

namespace Nehr.Browser.Tests;

[Collection(PortalCollection.Name)]
public sealed class PatientJourneyTests(PortalFixture fixture) : PortalTest(fixture)
{
    private async Task<IPage> SignInAsync(string email)
    {
        var page = await Fixture.NewPageAsync();
        await new SignInPage(page).SignInAsAsync(DemoAccounts.All.Single(a => a.Email == email));
        return page;
    }

    /// <summary>
    /// A patient of the generated population (the <paramref name="offset"/>-th, not a demo account another test uses)
    /// signs in with Singpass for the first time: her account is made then.
    /// </summary>
    private async Task<(IPage Page, string Nric)> SignInAsGeneratedPatientAsync(int offset)
    {
        var patientId = Fixture.Portal.Database.Scalar($"SELECT Id FROM Patients ORDER BY Id LIMIT 1 OFFSET {offset}");
        var nric = Fixture.Portal.Database.Scalar("SELECT Nric FROM Patients WHERE Id = $id", ("$id", patientId));
        Assert.Equal("0", Fixture.Portal.Database.Scalar("SELECT COUNT(*) FROM AspNetUsers WHERE PatientId = $id", ("$id", patientId)));
        var page = await Fixture.NewPageAsync();
        var signIn = new SignInPage(page);
        await signIn.GotoAsync();
        await signIn.SignInWithSingpassAsync(nric: nric);
        await Expect(page).ToHaveURLAsync(new Regex("/patient$"));
        Assert.Equal("1", Fixture.Portal.Database.Scalar("SELECT COUNT(*) FROM AspNetUsers WHERE PatientId = $id AND PasswordHash IS NULL", ("$id", patientId)));
        return (page, nric);
    }

    [Fact]
    public async Task Patient_allows_one_provider_then_sees_both_accesses_and_reports_one_to_the_auditors()
    {
        // 1. The patient allows only Central General Hospital.
        var (patientPage, nric) = await SignInAsGeneratedPatientAsync(10);
        var patient = new PatientPages(patientPage);
        await patient.AllowOnlyAsync("Central General Hospital");
        await Expect(patientPage.GetByText("Your choice is saved.")).ToBeVisibleAsync();
        await Expect(patientPage.GetByTestId("settings-history")).ToContainTextAsync("Only: Central General Hospital");

        // 2. A clinician there sees the full record; one at the polyclinic sees the basic set.
        var doctor = new ClinicianPages(await SignInAsync(DemoAccounts.HospitalDoctor));
        await doctor.FindAsync(nric);
        await Expect(doctor.Tabs).ToHaveCountAsync(9);
        await Expect(doctor.RestrictedBanner).ToHaveCountAsync(0);
        var nurse = new ClinicianPages(await SignInAsync(DemoAccounts.PolyclinicNurse));
        await nurse.FindAsync(nric);
        await Expect(nurse.RestrictedBanner).ToBeVisibleAsync();
        // Two parts to read (allergies, vaccinations); the other seven shown as withheld, never as empty.
        await Expect(nurse.Tabs).ToHaveCountAsync(9);
        await Expect(nurse.WithheldTabs).ToHaveCountAsync(7);

        // 3. Both accesses are in the patient's history, and she has been told of each first access.
        await patientPage.GotoAsync("/patient/history");
        await Expect(patient.HistoryRows).ToHaveCountAsync(2);
        await Expect(patient.HistoryRows.Filter(new() { HasText = "Northside Polyclinic" }).GetByTestId("level-basic")).ToBeVisibleAsync();
        await Expect(patient.HistoryRows.Filter(new() { HasText = "Central General Hospital" }).GetByTestId("level-full")).ToBeVisibleAsync();
        await Expect(patient.NoticeBadge).ToHaveAttributeAsync("aria-label", "2 new notifications");

        // 4. She reports the polyclinic's access; the case reaches the MOH auditors' queue.
        await patient.HistoryRows.Filter(new() { HasText = "Northside Polyclinic" })
            .GetByRole(AriaRole.Link, new() { Name = "I don't recognise this access" }).ClickAsync();
        await Expect(patientPage.GetByTestId("report-summary")).ToContainTextAsync("Northside Polyclinic");
        await patientPage.GetByLabel("What do you know about it? (optional)").FillAsync("I have never been to this polyclinic.");
        await patientPage.GetByRole(AriaRole.Button, new() { Name = "Report to MOH" }).ClickAsync();
        await Expect(patientPage.GetByTestId("reported")).ToContainTextAsync("MOH auditors will look into this access");
        await Expect(patient.HistoryRows.Filter(new() { HasText = "Northside Polyclinic" }).GetByTestId("report-status"))
            .ToHaveTextAsync("Reported: under review by MOH");

        var auditor = await SignInAsync(DemoAccounts.Auditor);
        await Expect(auditor.GetByTestId("figure-Reported accesses awaiting review")).ToHaveTextAsync("1");
    }

    [Fact]
    public async Task The_access_settings_show_no_error_until_a_save_fails_and_then_say_why()
    {
        var (first, _) = await SignInAsGeneratedPatientAsync(11);
        var second = await first.Context.NewPageAsync();
        await first.GotoAsync("/patient/access");
        await second.GotoAsync("/patient/access");
        await Expect(second.GetByTestId("mode-RestrictAll")).ToBeVisibleAsync();
        await Expect(first.GetByTestId("settings-error")).ToHaveCountAsync(0);

        // Saved in one tab; the other tab still shows the settings as they were.
        await new PatientPages(first).ChooseAndSaveAsync("RestrictAll");
        await Expect(first.GetByText("Your choice is saved.")).ToBeVisibleAsync();
        await Expect(first.GetByTestId("settings-error")).ToHaveCountAsync(0);

        // The other tab's form is out of date: said at once, before any confirmation, and nothing is saved.
        var other = new PatientPages(second);
        await other.Mode("RestrictAll").ClickAsync();
        await other.SaveButton.ClickAsync();
        await Expect(second.GetByTestId("confirm-settings")).ToHaveCountAsync(0);

        await Expect(second.GetByTestId("settings-error")).ToHaveTextAsync(new Regex("changed elsewhere in the meantime"));
    }

    [Fact]
    public async Task The_access_history_exports_as_csv()
    {
        var page = await SignInAsync(DemoAccounts.Patient);
        await page.GotoAsync("/patient/history");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("export-csv").ClickAsync());

        Assert.Equal("nehr-access-history.csv", download.SuggestedFilename);
        var text = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.StartsWith("When (Singapore time),When (ISO 8601),Until (ISO 8601),Provider,Role,Name,Reason given", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_patient_sees_their_own_full_record()
    {
        var page = await SignInAsync(DemoAccounts.RestrictedPatient);

        await page.GotoAsync("/patient/record");

        await Expect(page.GetByTestId("my-demographics")).ToContainTextAsync("Muhammad Faizal bin Rahman");
        await Expect(page.GetByTestId("record-section")).ToHaveCountAsync(9);
    }

    [Fact]
    public async Task Another_patients_history_cannot_be_downloaded_by_changing_the_url()
    {
        var page = await SignInAsync(DemoAccounts.SelectivePatient);

        // Whatever is put in the query, the export is the signed-in patient's own (and Priya has no accesses yet).
        var response = await page.APIRequest.GetAsync("/patient/access-history.csv?patient=1&patientId=1&userId=x");

        Assert.Equal(200, response.Status);
        var lines = (await response.TextAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain(lines.Skip(1), l => l.Contains("Central General Hospital", StringComparison.Ordinal) && l.Contains("Full", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_clinician_cannot_download_a_patients_history()
    {
        var page = await SignInAsync(DemoAccounts.HospitalDoctor);

        var response = await page.APIRequest.GetAsync("/patient/access-history.csv", new() { MaxRedirects = 0 });

        Assert.NotEqual(200, response.Status);
    }
}
