using System.Text.Json;
using Microsoft.Playwright;
using Nehr.Browser.Tests.Pages;
using Nehr.Core.Data.Demo;
using static Microsoft.Playwright.Assertions;

namespace Nehr.Browser.Tests;

/// <summary>
/// The patient area on a phone, as a country's patients use it: every page fits the screen (no sideways scrolling),
/// every tap target is at least 24×24 px (WCAG 2.2, 2.5.8), the menu is reachable, and no page opens a circuit (no
/// WebSocket: nothing is kept on the server between requests).
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class PatientPhoneTests(PortalFixture fixture) : PortalTest(fixture)
{
    private static readonly string[] Pages =
    [
        "/patient", "/patient/record", "/patient/record?section=LabResult", "/patient/history", "/patient/history?level=Denied",
        "/patient/access", "/patient/caregivers", "/patient/notifications", "/patient/notifications/settings", "/patient/summary",
    ];

    /// <summary>Interactive elements smaller than 24×24 px that are not links inside a sentence (the criterion's exception).</summary>
    private const string SmallTargets = """
        () => [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')]
          .filter(e => e.offsetParent !== null || e.getClientRects().length > 0)
          .filter(e => !(e.tagName === 'A' && e.closest('p, li.allergy-list, dd')) )
          .map(e => { const r = (e.type === 'checkbox' || e.type === 'radio') && e.closest('label') ? e.closest('label').getBoundingClientRect() : e.getBoundingClientRect(); return { what: (e.getAttribute('aria-label') || e.textContent || e.name || e.tagName).trim().slice(0, 40), w: Math.round(r.width), h: Math.round(r.height) }; })
          .filter(t => t.w > 0 && t.h > 0 && (t.w < 24 || t.h < 24))
        """;

    [Theory]
    [InlineData(360, 640)]
    [InlineData(390, 844)]
    public async Task Every_patient_page_fits_a_phone_with_targets_of_24_px_and_no_circuit(int width, int height)
    {
        var page = await Fixture.NewPageAsync();
        await page.SetViewportSizeAsync(width, height);
        var sockets = new List<string>();
        page.WebSocket += (_, socket) => sockets.Add($"{socket.Url} on {page.Url}");
        await new SignInPage(page).SignInAsAsync(DemoAccounts.All.Single(a => a.Email == DemoAccounts.Patient));

        foreach (var path in Pages)
        {
            var response = await page.GotoAsync(path);
            Assert.Equal(200, response!.Status);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
            await Expect(page.GetByRole(AriaRole.Main)).ToBeVisibleAsync();
            var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
            Assert.True(overflow <= 0, $"{path} scrolls sideways by {overflow} px at {width}×{height}");
            var small = await page.EvaluateAsync<JsonElement>(SmallTargets);
            Assert.True(small.GetArrayLength() == 0, $"{path}: tap targets under 24×24 px: {small}");
        }

        // The menu: one tap away on a phone, and it leads to each part.
        await page.GotoAsync("/patient");
        await page.GetByText("Menu", new() { Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Patient area" }).GetByRole(AriaRole.Link, new() { Name = "Who accessed my record" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1, Name = "Who accessed my record" })).ToBeVisibleAsync();

        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        Assert.True(sockets.Count == 0, "The patient area opened a circuit: " + string.Join("; ", sockets));
    }

    [Fact]
    public async Task The_settings_form_says_plainly_what_is_wrong_and_saves_nothing_without_a_circuit()
    {
        var page = await Fixture.NewPageAsync();
        var sockets = new List<string>();
        page.WebSocket += (_, socket) => sockets.Add($"{socket.Url} on {page.Url}");
        await new SignInPage(page).SignInAsAsync(DemoAccounts.All.Single(a => a.Email == DemoAccounts.Patient));
        var patient = new PatientPages(page);

        // "Only the providers I choose" without a provider: said plainly, nothing saved, no confirmation offered.
        await page.GotoAsync("/patient/access");
        await patient.Mode("AllowSelectedProviders").ClickAsync();
        await patient.SaveButton.ClickAsync();
        await Expect(page.GetByTestId("settings-error")).ToContainTextAsync("Choose at least one provider");
        await Expect(page.GetByTestId("confirm-settings")).ToHaveCountAsync(0);

        // Saving the same setting again is not a change.
        await page.GotoAsync("/patient/access");
        await patient.SaveButton.ClickAsync();
        await Expect(page.GetByTestId("settings-error")).ToContainTextAsync("Nothing has changed");

        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        Assert.True(sockets.Count == 0, "The patient area opened a circuit: " + string.Join("; ", sockets));
    }
}
