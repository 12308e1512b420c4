using System.Text.Json;
using Microsoft.Playwright;
using Nehr.Browser.Tests.Pages;
using Nehr.Core.Data.Demo;
using static Microsoft.Playwright.Assertions;

namespace Nehr.Browser.Tests;

/// <summary>
/// The patient's record on a phone: every part of it fits the screen with nothing scrolling sideways (not the page,
/// not a region inside it), each entry a card with the same facts as the table on a desktop, and its words in the
/// patient's language.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class PatientRecordPhoneTests(PortalFixture fixture) : PortalTest(fixture)
{
    /// <summary>
    /// Visible elements that reach beyond the screen's edges, that scroll sideways inside themselves, or whose content
    /// (text too) spills beyond the screen; what is clipped on purpose (visually hidden text) is not shown.
    /// </summary>
    private const string TooWide = """
        () => {
          const width = document.documentElement.clientWidth;
          return [...document.querySelectorAll('body *')]
            .filter(e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden')
            .map(e => {
              const r = e.getBoundingClientRect();
              const overflow = getComputedStyle(e).overflowX;
              const scrolls = e.scrollWidth > e.clientWidth + 1 && ['auto', 'scroll'].includes(overflow);
              const spills = e.clientWidth > 0 && r.left + e.scrollWidth > width + 1 && !['hidden', 'clip'].includes(overflow);
              return { what: e.tagName + (e.getAttribute('data-testid') ? '[' + e.getAttribute('data-testid') + ']' : '') + (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\s+/).join('.') : ''),
                       left: Math.floor(r.left), right: Math.ceil(r.right), scrollWidth: e.scrollWidth, clientWidth: e.clientWidth, overflow, scrolls, spills };
            })
            .filter(e => e.left < 0 || e.right > width || e.scrolls || e.spills);
        }
        """;

    /// <summary>Each card's lines as (label, value) pairs, as shown.</summary>
    private const string CardFacts = """
        cards => cards.map(card => [...card.querySelectorAll('dt')].map(dt => [dt.innerText.trim(), dt.nextElementSibling.innerText.replace(/\s+/g, ' ').trim()]))
        """;

    /// <summary>Each row of the table as (heading, cell) pairs, as shown.</summary>
    private const string RowFacts = """
        table => {
          const headings = [...table.querySelectorAll('thead th')].map(th => th.innerText.trim());
          return [...table.querySelectorAll('tbody tr')].map(tr => [...tr.querySelectorAll('td')].map((td, i) => [headings[i], td.innerText.replace(/\s+/g, ' ').trim()]));
        }
        """;

    private async Task<IPage> SignInAsync(string email)
    {
        var page = await Fixture.NewPageAsync();
        await new SignInPage(page).SignInAsAsync(DemoAccounts.All.Single(a => a.Email == email));
        return page;
    }

    [Theory]
    [InlineData(360, 640, "en")]
    [InlineData(390, 844, "en")]
    [InlineData(360, 640, "ta")] // the longest words of the four languages
    public async Task Every_part_of_the_record_fits_a_phone_as_cards_with_the_facts_of_the_desktop_table(int width, int height, string language)
    {
        var page = await SignInAsync(DemoAccounts.RestrictedPatient);
        await ReadInAsync(page, language);
        await page.SetViewportSizeAsync(width, height);
        await page.GotoAsync("/patient/record");
        var sections = page.GetByTestId("record-section");
        await Expect(sections).ToHaveCountAsync(9);
        var paths = new List<string>();
        foreach (var link in await sections.AllAsync())
        {
            paths.Add((await link.GetAttributeAsync("href"))!);
        }

        var compared = 0;
        foreach (var path in paths)
        {
            await page.SetViewportSizeAsync(width, height);
            await page.GotoAsync(path);
            await Expect(page.GetByTestId("allergy-panel")).ToBeVisibleAsync();
            var tooWide = await page.EvaluateAsync<JsonElement>(TooWide);
            Assert.True(tooWide.GetArrayLength() == 0, $"{path} at {width}×{height} ({language}): wider than the screen or scrolling sideways: {tooWide}");

            var kind = path.Split("section=")[1];
            var table = page.GetByTestId($"table-{kind}");
            if (await table.CountAsync() == 0)
            {
                await Expect(page.GetByTestId($"empty-{kind}")).ToBeVisibleAsync();
                continue;
            }

            // On the phone: cards, not the table.
            var cards = page.GetByTestId($"cards-{kind}");
            await Expect(cards).ToBeVisibleAsync();
            await Expect(table).ToBeHiddenAsync();
            var onPhone = await cards.Locator(":scope > li").EvaluateAllAsync<string[][][]>(CardFacts);

            // On a desktop: the table, not the cards; the same facts, row for card, heading for label.
            await page.SetViewportSizeAsync(1366, 768);
            await Expect(table).ToBeVisibleAsync();
            await Expect(cards).ToBeHiddenAsync();
            var onDesktop = await table.EvaluateAsync<string[][][]>(RowFacts);

            Assert.NotEmpty(onDesktop);
            Assert.Equal(Json(onDesktop), Json(onPhone));
            compared += onDesktop.Length;
        }

        Assert.True(compared > 9, $"only {compared} entries compared");

        // The record to take away, too.
        await page.SetViewportSizeAsync(width, height);
        await page.GotoAsync("/patient/summary");
        var summaryTooWide = await page.EvaluateAsync<JsonElement>(TooWide);
        Assert.True(summaryTooWide.GetArrayLength() == 0, $"/patient/summary at {width}×{height} ({language}): wider than the screen or scrolling sideways: {summaryTooWide}");
    }

    [Fact]
    public async Task A_card_wraps_the_sources_long_words_instead_of_widening_the_screen()
    {
        var page = await SignInAsync(DemoAccounts.RestrictedPatient);
        await page.SetViewportSizeAsync(360, 640);
        await page.GotoAsync("/patient/record?section=LabResult");
        var card = page.GetByTestId("cards-LabResult").Locator(":scope > li").First;
        await Expect(card.Locator(".mud-chip")).ToBeVisibleAsync();

        // What a source may send: an interpretation of many words (shown in a chip) and a name without a break.
        await card.Locator(".mud-chip-content").First.EvaluateAsync("e => e.textContent = 'Resistant to amoxicillin, co-amoxiclav, ceftriaxone and ciprofloxacin; sensitive to meropenem'");
        await card.Locator("dd").First.EvaluateAsync("e => e.textContent = 'Methylenedioxymethamphetamine-and-amphetamine-screen-by-immunoassay'");

        var tooWide = await page.EvaluateAsync<JsonElement>(TooWide);
        Assert.True(tooWide.GetArrayLength() == 0, $"long words of the source widen the card: {tooWide}");
    }

    [Fact]
    public async Task A_patient_reading_Malay_sees_the_record_headings_and_the_allergy_panel_in_Malay_and_the_clinical_content_as_contributed()
    {
        var page = await SignInAsync(DemoAccounts.RestrictedPatient);
        await page.GotoAsync("/patient/record?section=Allergy");
        var substances = await page.GetByTestId("table-Allergy").Locator("tbody tr td:first-child").AllInnerTextsAsync();

        await ReadInAsync(page, "ms");
        await page.GotoAsync("/patient/record?section=Allergy");

        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "ms");
        Assert.Equal(["Bahan", "Kategori", "Tahap kritikal", "Reaksi", "Pengesahan", "Status klinikal", "Tarikh", "Sumber", "Diserahkan"],
            await page.GetByTestId("table-Allergy").Locator("thead th").AllInnerTextsAsync());
        Assert.Equal(substances, await page.GetByTestId("table-Allergy").Locator("tbody tr td:first-child").AllInnerTextsAsync());
        await Expect(page.GetByTestId("allergy-panel").GetByRole(AriaRole.Heading)).ToHaveTextAsync("Alahan dan reaksi buruk");
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Bahagian rekod" }).GetByRole(AriaRole.Link, new() { NameRegex = new("^Alahan \\(\\d+\\)$") })).ToBeVisibleAsync();

        await page.SetViewportSizeAsync(390, 844);
        await Expect(page.GetByTestId("cards-Allergy").Locator("dt").First).ToHaveTextAsync("Bahan");
    }

    /// <summary>The language in this browser only (the cookie the language choice sets): the demo account keeps English.</summary>
    private Task ReadInAsync(IPage page, string language) =>
        page.Context.AddCookiesAsync([new Cookie { Name = ".AspNetCore.Culture", Value = $"c={language}|uic={language}", Url = Fixture.Portal.BaseAddress.ToString() }]);

    private static string Json(string[][][] facts) => JsonSerializer.Serialize(facts);
}
