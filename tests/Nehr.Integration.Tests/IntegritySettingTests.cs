using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Nehr.Core.Audit;

namespace Nehr.Integration.Tests;

/// <summary>
/// Nehr:Integrity, the audit trail's scheduled verification: intervals out of range, and a checkpoint key that cannot
/// sign, stop the start with a message that names the setting.
/// </summary>
[Trait("Database", "ProviderIndependent")]
public sealed class IntegritySettingTests : IDisposable
{
    private readonly PortalFactory _portal = new();
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "nehr-tests", "integrity-settings-" + Guid.NewGuid().ToString("N"));

    [Theory]
    [InlineData("VerifyEvery", "00:00:01", "Nehr:Integrity:VerifyEvery must be between")]
    [InlineData("VerifyEvery", "2.00:00:00", "Nehr:Integrity:VerifyEvery must be between")]
    [InlineData("FullVerifyEvery", "00:00:30", "Nehr:Integrity:FullVerifyEvery must be between")]
    [InlineData("CheckpointEvery", "00:00:00", "Nehr:Integrity:CheckpointEvery must be between")]
    public void An_interval_out_of_range_stops_the_portal_at_start(string setting, string value, string message)
    {
        _portal.Settings[$"Nehr:Integrity:{setting}"] = value;

        var failure = Assert.ThrowsAny<Exception>(() => _portal.Server);
        Assert.Contains(message, failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_full_verification_less_often_than_the_incremental_one_stops_the_portal_at_start()
    {
        _portal.Settings["Nehr:Integrity:VerifyEvery"] = "01:00:00";
        _portal.Settings["Nehr:Integrity:FullVerifyEvery"] = "00:10:00";

        var failure = Assert.ThrowsAny<Exception>(() => _portal.Server);
        Assert.Contains("Nehr:Integrity:FullVerifyEvery must not be shorter than VerifyEvery", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_checkpoint_key_that_is_not_an_EC_P256_key_stops_the_portal_at_start()
    {
        Directory.CreateDirectory(_directory);
        var key = Path.Combine(_directory, "not-a-key.pem");
        File.WriteAllText(key, "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
        _portal.Settings["Nehr:Integrity:CheckpointFile"] = Path.Combine(_directory, "checkpoints.jsonl");
        _portal.Settings["Nehr:Integrity:SigningKeyFile"] = key;

        var failure = Assert.ThrowsAny<Exception>(() => _portal.Server);
        Assert.Contains($"{key} is not a PEM private key", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outside_Production_without_a_key_file_a_key_is_generated_beside_the_portal_and_signs_the_checkpoints()
    {
        _portal.Settings["Nehr:Integrity:CheckpointFile"] = Path.Combine(_directory, "checkpoints.jsonl");
        _ = _portal.Server;
        var integrity = _portal.Services.GetRequiredService<AuditIntegrity>();
        var environment = _portal.Services.GetRequiredService<IHostEnvironment>();

        var report = await integrity.VerifyAsync(full: true);

        Assert.True(report.Intact, report.Chain.Problem);
        var key = Path.Combine(environment.ContentRootPath, AuditIntegrityOptions.DevelopmentSigningKeyFile);
        using var generated = CheckpointSigner.FromPem(await File.ReadAllTextAsync(key), key);
        Assert.Equal(integrity.Signer.KeyId, generated.KeyId);
    }

    public void Dispose()
    {
        _portal.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
