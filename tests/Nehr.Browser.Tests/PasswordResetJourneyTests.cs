using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Nehr.Browser.Tests.Pages;
using Nehr.Core.Data.Demo;
using static Microsoft.Playwright.Assertions;

namespace Nehr.Browser.Tests;

[Collection(PortalCollection.Name)]
public sealed class PasswordResetJourneyTests(PortalFixture fixture) : PortalTest(fixture)
{
    private const string NewPassword = "a brand new passphrase for the dentist";

    [Fact]
    public async Task A_member_of_staff_resets_a_forgotten_password_from_the_emailed_link_and_signs_in_with_it()
    {
        var email = DemoAccounts.OutsideDentist;
        var page = await Fixture.NewPageAsync();
        await new SignInPage(page).GotoAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Forgot your password?" }).ClickAsync();
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send the reset link" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Check your e-mail" })).ToBeVisibleAsync();

        // The portal's outbox sends it through MailKit to the SMTP server this test started.
        var mail = await Fixture.Inbox.WaitForAsync(
            m => m.To.Mailboxes.Any(a => a.Address == email) && m.Subject == "NEHR Portal: reset your password", TimeSpan.FromSeconds(30));
        var link = Regex.Match(mail.TextBody ?? string.Empty, @"http\S+/Account/ResetPassword\?code=[A-Za-z0-9_-]+").Value;
        Assert.StartsWith(Fixture.Portal.BaseAddress.ToString().TrimEnd('/'), link, StringComparison.Ordinal);
        try
        {
            await page.GotoAsync(link);
            await page.GetByLabel("Email").FillAsync(email);
            await page.GetByLabel("New password", new() { Exact = true }).FillAsync(NewPassword);
            await page.GetByLabel("Confirm the new password").FillAsync(NewPassword);
            await page.GetByRole(AriaRole.Button, new() { Name = "Change the password" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Password changed" })).ToBeVisibleAsync();

            // The old password no longer works; the new one does, with the authenticator code as ever.
            await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with your new password" }).ClickAsync();
            var signIn = new SignInPage(page);
            await signIn.SignInAsync(email, DemoAccounts.Password);
            await Expect(signIn.Error).ToContainTextAsync("The email or password is incorrect");
            await signIn.SignInWithFormAsync(email, NewPassword);
            await Expect(new AppShell(page).SignedInAs).ToHaveTextAsync(email);

            // The link worked once.
            var again = await Fixture.NewPageAsync();
            await again.GotoAsync(link);
            await again.GetByLabel("Email").FillAsync(email);
            await again.GetByLabel("New password", new() { Exact = true }).FillAsync("yet another long passphrase");
            await again.GetByLabel("Confirm the new password").FillAsync("yet another long passphrase");
            await again.GetByRole(AriaRole.Button, new() { Name = "Change the password" }).ClickAsync();
            await Expect(again.GetByRole(AriaRole.Alert)).ToContainTextAsync("This link does not work for this e-mail address");
        }
        finally
        {
            // The other journeys sign this account in with the demo password (all demo accounts share one hash).
            Fixture.Portal.Database.Execute(
                "UPDATE AspNetUsers SET PasswordHash = (SELECT PasswordHash FROM AspNetUsers WHERE Email = $p) WHERE Email = $e",
                ("$p", DemoAccounts.HospitalDoctor), ("$e", email));
        }
    }
}
