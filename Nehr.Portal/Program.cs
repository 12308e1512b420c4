using Nehr.Core.Data.Demo;
using Nehr.Core.Identity;
using Nehr.Portal.Hosting;
using Nehr.Portal.Hosting.NationalIdentity;

// `dotnet run --project Nehr.Portal -- demo-code`: the demo staff accounts' current authenticator code, for trying the portal.
if (args is ["demo-code"])
{
    var now = DateTimeOffset.UtcNow;
    var left = Totp.StepSeconds - (int)(now.ToUnixTimeSeconds() % Totp.StepSeconds);
    Console.WriteLine($"{Totp.Code(DemoAccounts.AuthenticatorKey, now)}  (valid {left} s more; each code works once per account)");
    return 0;
}

// `-- verify-audit`, `-- backup FILE`, `-- rotate-keys`: operations on the portal's database, then exit (Operations).
var (command, hostArgs) = Operations.Split(args);
var builder = WebApplication.CreateBuilder(hostArgs);

builder.AddNehrConfiguration();
builder.AddNehrData();
builder.AddNehrIdentity();
builder.AddNehrPortal();
builder.AddNehrContribution();
builder.AddNehrNationalIdentity();
builder.AddNehrHealth();

var app = builder.Build();
if (command.Length > 0)
{
    return await Operations.RunAsync(app, command);
}

app.RefuseUnsafeProductionSettings();
app.UseNehrPortal();
app.MapNehrPortal();

await app.InitializeNehrDatabaseAsync();
await app.RefuseDemoDatabaseInProductionAsync();
await app.RunAsync();
return 0;

/// <summary>The entry point, visible to the test host.</summary>
public partial class Program;
