namespace Nehr.Browser.Tests;

/// <summary>
/// The built portal started as an operator would, in Production (issue 17, finding 9): it refuses demo data and
/// unsafe settings before it touches the database, and starts with safe ones. (In the portal collection: its portal
/// starts would otherwise run beside the browser journeys and slow them past their timeouts.)
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class ProductionStartTests
{
    private static readonly Dictionary<string, string> Safe = new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["Nehr__Data__SeedDemoData"] = "false",
        ["Nehr__PublicUrl"] = "https://portal.nehr.example.sg",
        ["Nehr__Email__SmtpHost"] = "127.0.0.1",
        ["Nehr__DataProtection__KeyEncryptionKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
        ["Nehr__NationalIdentity__DevelopmentProvider"] = "false",
        ["Nehr__NationalIdentity__Issuer"] = "https://id.singpass.example.sg",
        ["Nehr__NationalIdentity__ClientId"] = "nehr-portal",
        ["Nehr__NationalIdentity__SigningKeyFile"] = SigningKeyFile(),
        ["Nehr__Integrity__CheckpointFile"] = Path.Combine(Path.GetTempPath(), "nehr-browser-tests", $"audit-checkpoints-{Guid.NewGuid():N}.jsonl"),
        ["Nehr__Integrity__SigningKeyFile"] = SigningKeyFile(),
    };

    /// <summary>An EC P-256 private key in PEM, as <c>openssl ecparam -name prime256v1 -genkey</c> makes one (README).</summary>
    private static string SigningKeyFile()
    {
        var path = Path.Combine(Path.GetTempPath(), "nehr-browser-tests", $"national-identity-signing-{Guid.NewGuid():N}.pem");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        File.WriteAllText(path, key.ExportECPrivateKeyPem());
        return path;
    }

    [Fact]
    public async Task Production_refuses_demo_data_and_unsafe_settings_all_named_before_the_database_is_touched()
    {
        var directory = NewDirectory();
        try
        {
            var refusal = await Assert.ThrowsAsync<InvalidOperationException>(() => PortalProcess.StartAsync(directory, new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Nehr__Data__SeedDemoData"] = "true",
            }));

            Assert.Contains("exited", refusal.Message, StringComparison.Ordinal);
            Assert.Contains("does not start in Production", refusal.Message, StringComparison.Ordinal);
            Assert.Contains("Nehr:Data:SeedDemoData is true", refusal.Message, StringComparison.Ordinal);
            Assert.Contains("Nehr:PublicUrl is not the portal's https address", refusal.Message, StringComparison.Ordinal);
            Assert.Contains("Nehr:Email:SmtpHost is not set", refusal.Message, StringComparison.Ordinal);
            Assert.Contains("the data-protection key ring would be stored unencrypted", refusal.Message, StringComparison.Ordinal);
            Assert.Contains("Nehr:NationalIdentity:DevelopmentProvider is true", refusal.Message, StringComparison.Ordinal);
            Assert.Contains("Nehr:NationalIdentity:SigningKeyFile is not set", refusal.Message, StringComparison.Ordinal);
            Assert.Contains("Nehr:Integrity:CheckpointFile is not set", refusal.Message, StringComparison.Ordinal);
            Assert.Contains("Nehr:Integrity:SigningKeyFile is not set", refusal.Message, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(directory, "nehr.db")), "the database was created");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Production_starts_with_safe_settings_but_not_on_a_database_seeded_for_a_demonstration()
    {
        var directory = NewDirectory();
        try
        {
            await using (await PortalProcess.StartAsync(directory, Safe))
            {
            }

            // The same database, once seeded with the demo data in another environment (same key-encryption key).
            await using (await PortalProcess.StartAsync(directory, new Dictionary<string, string>
            {
                ["Nehr__DataProtection__KeyEncryptionKey"] = Safe["Nehr__DataProtection__KeyEncryptionKey"],
            }))
            {
            }

            var refusal = await Assert.ThrowsAsync<InvalidOperationException>(() => PortalProcess.StartAsync(directory, Safe));
            Assert.Contains("The database has the demo accounts", refusal.Message, StringComparison.Ordinal);
            Assert.Contains("The database has the demo systems", refusal.Message, StringComparison.Ordinal);

            // Without the key-encryption key its key ring was encrypted with, the portal says so and stops.
            var wrongKey = await Assert.ThrowsAsync<InvalidOperationException>(() => PortalProcess.StartAsync(directory, new Dictionary<string, string>
            {
                ["Nehr__DataProtection__KeyEncryptionKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            }));
            Assert.Contains("which is not configured (Nehr:DataProtection:KeyEncryptionKey or PreviousKeyEncryptionKeys)", wrongKey.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string NewDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "nehr-browser-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return directory;
    }
}
