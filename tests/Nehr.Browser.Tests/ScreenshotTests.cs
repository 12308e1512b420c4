using Microsoft.Playwright;
using Nehr.Browser.Tests.Pages;
using Nehr.Core.Data.Demo;
using static Microsoft.Playwright.Assertions;

namespace Nehr.Browser.Tests;

/// <summary>
/// A picture of each area, taken from the running portal so the README's screenshots never go stale. Each run writes
/// them under TestResults/screenshots; <c>docs/screenshots.sh</c> runs these tests with NEHR_SCREENSHOTS set to
/// docs/screenshots, the README's copies.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class ScreenshotTests(PortalFixture fixture) : PortalTest(fixture)
{
    /// <summary>A phone's screen in CSS pixels (an iPhone 12 to 15).</summary>
    private static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    private static string Directory => Environment.GetEnvironmentVariable("NEHR_SCREENSHOTS") is { Length: > 0 } chosen
        ? chosen
        : Path.Combine(PortalProcess.RepositoryRoot(), "TestResults", "screenshots");

    [Fact]
    public async Task A_patients_record()
    {
        var page = await SignInAsync(DemoAccounts.Patient);
        await page.GotoAsync("/patient/record");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "My record", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("my-demographics")).ToContainTextAsync("Tan Mei Ling");
        await SaveAsync(page, "patient-record.png");
    }

    [Fact]
    public async Task A_clinician_reading_a_record()
    {
        var nric = Fixture.Portal.Database.Scalar(
            "SELECT p.Nric FROM Patients p JOIN AspNetUsers u ON u.PatientId = p.Id WHERE u.Email = $email", ("$email", DemoAccounts.Patient));
        var doctor = new ClinicianPages(await SignInAsync(DemoAccounts.HospitalDoctor));
        await doctor.FindAsync(nric);
        await Expect(doctor.PatientName).ToHaveTextAsync("Tan Mei Ling");
        await Expect(doctor.Tabs).ToHaveCountAsync(9);
        await SaveAsync(doctor.Page, "clinician-record.png");
    }

    [Fact]
    public async Task A_provider_administrators_staff()
    {
        var page = await SignInAsync(DemoAccounts.HospitalAdmin);
        await page.GotoAsync("/admin/provider/personnel");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Personnel", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByText("dr.lee@nehr.demo")).ToBeVisibleAsync();
        await SaveAsync(page, "admin-staff.png");
    }

    [Fact]
    public async Task MOH_oversight()
    {
        var page = await SignInAsync(DemoAccounts.Auditor);
        await page.GotoAsync("/admin/moh");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "MOH oversight", Level = 1 })).ToBeVisibleAsync();
        await SaveAsync(page, "moh-oversight.png");
    }

    [Fact]
    public async Task A_patient_on_a_phone()
    {
        var page = await SignInAsync(DemoAccounts.Patient);
        await page.SetViewportSizeAsync(Phone.Width, Phone.Height);
        await page.GotoAsync("/patient");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "My NEHR", Level = 1 })).ToBeVisibleAsync();

        // Nothing wider than the phone: the page does not scroll sideways.
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"),
            "The patient's home scrolls sideways on a phone.");
        await SaveAsync(page, "phone-patient.png", fullPage: false);
    }

    /// <summary>
    /// The patient area in each of its four languages, on a phone and on a desktop: the access history and the home page.
    /// The language is the cookie a visitor's choice sets (the demo account's own choice stays as it is).
    /// </summary>
    [Theory]
    [InlineData("en", "Who accessed my record")]
    [InlineData("zh", "谁查看了我的记录")]
    [InlineData("ms", "Siapa yang mengakses rekod saya")]
    [InlineData("ta", "என் பதிவை யார் அணுகினார்கள்")]
    public async Task The_patient_area_in_each_language(string language, string historyHeading)
    {
        var page = await SignInAsync(DemoAccounts.Patient);
        await page.Context.AddCookiesAsync([new Cookie
        {
            Name = ".AspNetCore.Culture", Value = Uri.EscapeDataString($"c={language}|uic={language}"), Url = Fixture.Portal.BaseAddress.ToString(),
        }]);

        await page.GotoAsync("/patient/history");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = historyHeading, Level = 1 })).ToBeVisibleAsync();
        await SaveAsync(page, $"patient-history-{language}.png");
        await page.SetViewportSizeAsync(Phone.Width, Phone.Height);
        await page.GotoAsync("/patient");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"),
            $"The patient's home scrolls sideways on a phone in {language}.");
        await SaveAsync(page, $"phone-patient-{language}.png");
    }

    private async Task<IPage> SignInAsync(string email)
    {
        var page = await Fixture.NewPageAsync();
        await page.SetViewportSizeAsync(1280, 800);
        await new SignInPage(page).SignInAsAsync(DemoAccounts.All.Single(a => a.Email == email));
        return page;
    }

    /// <summary>Saves the page once the portal has nothing left to load (no progress bar), and checks the file is a picture.</summary>
    private static async Task SaveAsync(IPage page, string name, bool fullPage = true)
    {
        await Expect(page.Locator(".mud-progress-linear")).ToHaveCountAsync(0);
        System.IO.Directory.CreateDirectory(Directory);
        var path = Path.Combine(Directory, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = fullPage, Animations = ScreenshotAnimations.Disabled });
        var bytes = await File.ReadAllBytesAsync(path);
        Assert.True(bytes.Length > 10_000 && bytes.AsSpan(0, 4).SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47 }), $"{name} is not a screenshot ({bytes.Length} bytes).");
    }
}
