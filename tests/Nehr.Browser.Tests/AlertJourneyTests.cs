using Microsoft.Playwright;
using Nehr.Browser.Tests.Pages;
using Nehr.Core.Data.Demo;
using static Microsoft.Playwright.Assertions;

namespace Nehr.Browser.Tests;

/// <summary>Oversight that finds misuse by itself: from a clinician's open to the patient told the outcome.</summary>
[Collection(PortalCollection.Name)]
public sealed class AlertJourneyTests(PortalFixture fixture) : PortalTest(fixture)
{
    private async Task<IPage> SignInAsync(string email)
    {
        var page = await Fixture.NewPageAsync();
        await new SignInPage(page).SignInAsAsync(DemoAccounts.All.Single(a => a.Email == email));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
        return page;
    }

    [Fact]
    public async Task A_family_name_alert_is_reviewed_as_misuse_the_clinician_is_suspended_and_the_patient_sees_the_outcome()
    {
        // Dr Lee Wei Jie opens the record of a patient of his hospital who is also a Lee.
        var (patientNric, patientName) = (
            Fixture.Portal.Database.Scalar(LeePatient.Replace("{column}", "p.Nric", StringComparison.Ordinal)),
            Fixture.Portal.Database.Scalar(LeePatient.Replace("{column}", "p.Name", StringComparison.Ordinal)));
        var clinician = new ClinicianPages(await SignInAsync(DemoAccounts.HospitalDoctor));
        await clinician.FindAsync(patientNric);
        await Expect(clinician.PatientName).ToContainTextAsync(patientName);

        try
        {
            // The scanner judges new audit events every second here: the auditor finds the case in the alerts.
            var auditor = await SignInAsync(DemoAccounts.Auditor);
            await auditor.GotoAsync("/admin/moh/alerts");
            var item = auditor.GetByTestId("alert-item").Filter(new() { HasText = patientName })
                .Filter(new() { HasText = "Shares the patient's family name" });
            await Expect(item).ToHaveCountAsync(1, new() { Timeout = 15_000 });
            await Expect(item).ToContainTextAsync("Dr Lee Wei Jie (Doctor)");
            await item.GetByRole(AriaRole.Link).ClickAsync();

            await Expect(auditor.GetByTestId("alert-summary")).ToContainTextAsync("shares the family name Lee");
            await Expect(auditor.GetByTestId("evidence-item").First).ToContainTextAsync("Read the record");
            await auditor.GetByTestId("close-case").ClickAsync();
            await Expect(auditor.GetByTestId("close-error")).ToContainTextAsync("Choose an outcome");
            await auditor.GetByLabel("Misuse").CheckAsync();
            await auditor.GetByTestId("close-case").ClickAsync();
            await Expect(auditor.GetByTestId("close-error")).ToContainTextAsync("Say what the misuse was");
            await auditor.GetByLabel("Findings").FillAsync("He is not in the patient's care team and opened a relative's record.");
            await auditor.GetByTestId("close-case").ClickAsync();
            await Expect(auditor.GetByTestId("alert-status")).ToHaveTextAsync("Misuse");
            await Expect(auditor.GetByTestId("suspension-hint")).ToContainTextAsync("Dr Lee Wei Jie");

            // An MOH administrator suspends his NEHR access.
            var admin = await SignInAsync(DemoAccounts.MohAdmin);
            await admin.GotoAsync("/admin/moh/suspensions");
            await admin.GetByLabel("Name or e-mail").FillAsync("Lee Wei Jie");
            await admin.GetByTestId("find-person").ClickAsync();
            var row = admin.GetByTestId("person-row").Filter(new() { HasText = "Dr Lee Wei Jie" });
            await row.GetByTestId("toggle-person").ClickAsync();
            var dialog = admin.GetByRole(AriaRole.Dialog);
            await dialog.GetByLabel("Reason (recorded in the audit trail)").FillAsync("Misuse found by an MOH audit: a relative's record.");
            await dialog.GetByTestId("confirm-action").ClickAsync();
            await Expect(row.GetByTestId("person-state")).ToHaveTextAsync("Suspended");

            // The patient signs in with Singpass and reads the outcome in their notifications.
            var patient = await Fixture.NewPageAsync();
            await patient.GotoAsync("/Account/Login");
            await new SignInPage(patient).SignInWithSingpassAsync(nric: patientNric);
            await patient.GotoAsync("/patient/notifications");
            await Expect(patient.GetByText("found that it was not part of your care")).ToContainTextAsync("a doctor at Central General Hospital");
        }
        finally
        {
            Fixture.Portal.Database.Execute(
                "UPDATE Personnel SET NehrAccessSuspended = 0 WHERE Id = (SELECT PersonnelId FROM AspNetUsers WHERE Email = $e)", ("$e", DemoAccounts.HospitalDoctor));
        }
    }

    /// <summary>A synthetic patient named Lee, registered at the hospital, without an account yet.</summary>
    private const string LeePatient =
        "SELECT {column} FROM Patients p WHERE p.Name LIKE 'Lee %' AND p.Id NOT IN (SELECT PatientId FROM AspNetUsers WHERE PatientId IS NOT NULL) "
        + "AND p.Id IN (SELECT r.PatientId FROM CareRegistrations r JOIN Providers v ON v.Id = r.ProviderId WHERE v.Code = 'CGH01' AND r.EndedAtUtc IS NULL) "
        + "ORDER BY p.Id DESC LIMIT 1";
}
