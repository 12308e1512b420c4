using Nehr.Portal.Hosting;

var builder = WebApplication.CreateBuilder(args);

builder.AddNehrConfiguration();
builder.AddNehrData();
builder.AddNehrIdentity();
builder.AddNehrPortal();
builder.AddNehrContribution();

var app = builder.Build();

app.UseNehrPortal();
app.MapNehrPortal();

await app.InitializeNehrDatabaseAsync();
await app.RunAsync();

/// <summary>The entry point, visible to the test host.</summary>
public partial class Program;
