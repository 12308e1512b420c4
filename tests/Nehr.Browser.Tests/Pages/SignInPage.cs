using Microsoft.Playwright;
using Nehr.Core.Data.Demo;

namespace Nehr.Browser.Tests.Pages;

/// <summary>The sign-in page, located by label and role.</summary>
public sealed class SignInPage(IPage page)
{
    public ILocator Email => page.GetByLabel("Email");

    public ILocator Password => page.GetByLabel("Password");

    public ILocator SubmitButton => page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true });

    public ILocator Error => page.GetByRole(AriaRole.Alert);

    public Task GotoAsync() => page.GotoAsync("/Account/Login");

    public async Task SignInAsync(string email, string password)
    {
        await Email.FillAsync(email);
        await Password.FillAsync(password);
        await SubmitButton.ClickAsync();
    }

    /// <summary>Signs in as a demo account from the sign-in page and waits until the landing page has loaded.</summary>
    public async Task SignInAsAsync(DemoAccount account)
    {
        await GotoAsync();
        await SignInAsync(account.Email, DemoAccounts.Password);
        await page.WaitForURLAsync(url => !url.Contains("/Account/Login", StringComparison.Ordinal));
    }
}
