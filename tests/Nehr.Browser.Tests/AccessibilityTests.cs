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
public sealed class AccessibilityTests(PortalFixture fixture)
{
    private static readonly AxeRunOptions WcagAa = new()
    {
        RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"] },
    };

    private static readonly string[] PatientPages =
    [
        "/patient", "/patient/record", "/patient/record?section=LabResult", "/patient/history", "/patient/history?level=Denied",
        "/patient/history?from=not-a-date", "/patient/access", "/patient/caregivers", "/patient/notifications", "/patient/summary",
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
        var page = await fixture.NewPageAsync();
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
        var page = await fixture.NewPageAsync();

        await page.GotoAsync(path);

        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
        await AssertNoViolationsAsync(page, path);
    }

    private async Task<IPage> StaffPageAsync(string email, int width = 1366, int height = 768)
    {
        var page = await fixture.NewPageAsync();
        await page.SetViewportSizeAsync(width, height);
        await new SignInPage(page).SignInAsAsync(DemoAccounts.All.Single(a => a.Email == email));
        return page;
    }

    [Fact]
    public async Task Focus_is_seen_on_the_patient_pages()
    {
        var page = await fixture.NewPageAsync();
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
        await clinician.FindAsync(fixture.Portal.Database.NricOf(DemoAccounts.Patient));
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
