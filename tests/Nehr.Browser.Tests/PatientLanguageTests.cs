using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Nehr.Browser.Tests;

/// <summary>The patient area in English, 简体中文, Bahasa Melayu and தமிழ்: chosen on any page, kept with the account.</summary>
[Collection(PortalCollection.Name)]
public sealed class PatientLanguageTests(PortalFixture fixture) : PortalTest(fixture)
{
    [Fact]
    public async Task A_patient_switches_to_Malay_and_Tamil_and_the_choice_follows_them_to_a_new_browser()
    {
        var (nric, _) = Fixture.PersonWithoutAccount(35);
        var page = await Fixture.SignedInWithSingpassAsync(nric);
        await page.GotoAsync("/patient/history");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");

        await page.GetByRole(AriaRole.Button, new() { Name = "Bahasa Melayu" }).ClickAsync();

        // The same page, in Malay: heading, menu, filters, and the page's language for screen readers.
        await Expect(page).ToHaveURLAsync(new Regex("/patient/history$"));
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "ms");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Siapa yang mengakses rekod saya");
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Ruang pesakit" }).GetByRole(AriaRole.Link, new() { Name = "Rekod saya", Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Penyedia")).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "தமிழ்" }).ClickAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "ta");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("என் பதிவை யார் அணுகினார்கள்");

        // Another browser, no cookie: the account's language.
        var elsewhere = await Fixture.SignedInWithSingpassAsync(nric);
        await Expect(elsewhere.Locator("html")).ToHaveAttributeAsync("lang", "ta");
        await Expect(elsewhere.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("என் NEHR");

        await elsewhere.GetByRole(AriaRole.Button, new() { Name = "简体中文" }).ClickAsync();
        await Expect(elsewhere.Locator("html")).ToHaveAttributeAsync("lang", "zh-Hans");
        await Expect(elsewhere.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("我的 NEHR");
    }
}
