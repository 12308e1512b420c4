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
        var result = await page.RunAxe(WcagAa);
        var found = result.Violations.Select(v =>
            $"{v.Id} ({v.Impact}): {string.Join("; ", v.Nodes.Take(3).Select(n => n.Html.Length > 120 ? n.Html[..120] : n.Html))}").ToList();
        Assert.True(found.Count == 0, $"{what}: {found.Count} axe violations:\n" + string.Join("\n", found));
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

    [Fact]
    public async Task Focus_is_seen_on_the_patient_pages()
    {
        var page = await fixture.NewPageAsync();
        await new SignInPage(page).SignInAsAsync(DemoAccounts.All.Single(a => a.Email == DemoAccounts.SelectivePatient));
        await page.GotoAsync("/patient/history");

        // Each of the first tab stops draws an outline of 2 px or more when reached with the keyboard.
        for (var i = 0; i < 12; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            var outline = await page.EvaluateAsync<string>(
                "() => { const e = document.activeElement; const s = getComputedStyle(e); return `${e.tagName}#${e.id} ${e.getAttribute('type') || ''} ${e.matches(':focus')} ${(e.textContent || '').trim().slice(0, 30)}|${s.outlineStyle}|${parseFloat(s.outlineWidth)}`; }");
            var parts = outline.Split('|');
            Assert.True(parts[1] != "none" && double.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture) >= 2, $"tab stop {i + 1} ({parts[0]}) has no visible focus: {outline}");
        }
    }
}
