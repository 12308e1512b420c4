using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nehr.Core;
using Nehr.Core.Access;
using Nehr.Core.Audit;
using Nehr.Core.Data;
using Nehr.Core.Data.Demo;
using Nehr.Core.Notifications;
using Nehr.Core.Representatives;

namespace Nehr.Integration.Tests;

/// <summary>
/// Notices by SMS beside e-mail and the portal: the patient chooses the channels (in the portal always; e-mail and SMS
/// each on or off) and gives a mobile number, kept in E.164; a notice enqueues an SMS only for a patient who chose it
/// with a valid mobile number; the development transport writes each SMS as a file.
/// </summary>
public sealed class SmsNoticeTests : IAsyncLifetime
{
    private readonly PortalFactory _portal = new();
    private readonly string _smsFolder = Path.Combine(Path.GetTempPath(), "nehr-tests", "sms-" + Guid.NewGuid().ToString("N"));
    private DemoWorld _world = null!;

    public async Task InitializeAsync()
    {
        _portal.Settings["Nehr:Sms:PickupDirectory"] = _smsFolder;
        _portal.Settings["Nehr:Sms:PortalLink"] = "https://nehr.example.sg/patient/notifications";
        _world = await DemoWorld.LoadAsync(_portal);
    }

    public Task DisposeAsync()
    {
        _portal.Dispose();
        if (Directory.Exists(_smsFolder))
        {
            Directory.Delete(_smsFolder, recursive: true);
        }

        return Task.CompletedTask;
    }

    private Task<NoticeChannelSettings> SaveAsync(string userId, bool byEmail, bool bySms, string? phone) =>
        _portal.WithAsync<NoticeChannels, NoticeChannelSettings>(c => c.SaveOwnAsync(DemoWorld.As(userId), byEmail, bySms, phone));

    /// <summary>The first access by the hospital's doctor: a notice to the patient (and what carries it).</summary>
    private Task<RecordView> DoctorOpensTheRecordAsync() =>
        _portal.WithAsync<RecordGate, RecordView>(g => g.OpenAsync(new RecordRequest(DemoWorld.As(_world.DoctorUserId), _world.OpenPatientId, PurposeOfUse.Treatment)));

    private async Task<List<OutboxMessage>> OutboxAsync()
    {
        await using var db = _portal.CreateDbContext();
        return await db.OutboxMessages.AsNoTracking().OrderBy(m => m.Id).ToListAsync();
    }

    private async Task<string> AccountAsync()
    {
        await using var db = _portal.CreateDbContext();
        var u = await db.Users.AsNoTracking().SingleAsync(u => u.Id == _world.PatientUserId);
        return $"{u.PhoneNumber}|{u.SmsNotices}|{u.EmailNoticesOff}|{u.ConcurrencyStamp}";
    }

    [Fact]
    public async Task A_notice_enqueues_an_sms_when_the_patient_chose_sms_with_a_mobile_number_in_their_language_naming_only_the_kind_of_notice()
    {
        var saved = await SaveAsync(_world.PatientUserId, byEmail: true, bySms: true, phone: "9123 4567");
        Assert.Equal(("+6591234567", true, true), (saved.MobileNumber, saved.BySms, saved.ByEmail));
        await using (var db = _portal.CreateDbContext())
        {
            db.UserClaims.Add(new() { UserId = _world.PatientUserId, ClaimType = PatientWords.LanguageClaim, ClaimValue = "ms" });
            await db.SaveChangesAsync();
        }

        var before = (await OutboxAsync()).Count;
        await DoctorOpensTheRecordAsync();

        var added = (await OutboxAsync()).Skip(before).ToList();
        var sms = Assert.Single(added, m => m.Channel == OutboxChannel.Sms);
        var email = Assert.Single(added, m => m.Channel == OutboxChannel.Email);
        Assert.Equal("+6591234567", sms.To);
        // The kind of notice and where to read it, in the patient's language; never who, where or what: the number is
        // not confirmed, and a mistyped one must not tell a stranger that a doctor of a hospital read this record.
        Assert.StartsWith(email.Subject + "\n", sms.Body, StringComparison.Ordinal);
        Assert.StartsWith("NEHR: ", sms.Body, StringComparison.Ordinal);
        Assert.Contains("Log masuk", sms.Body, StringComparison.Ordinal);
        Assert.Contains("Central General Hospital", email.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("Central General Hospital", sms.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("doktor", sms.Body, StringComparison.OrdinalIgnoreCase);
        Assert.True(sms.Body.Length <= OutboxMessage.MaxSmsLength);
    }

    [Fact]
    public async Task A_notice_enqueues_no_sms_for_a_patient_who_did_not_choose_it_or_whose_number_is_not_a_mobile()
    {
        var before = (await OutboxAsync()).Count;
        await DoctorOpensTheRecordAsync();
        Assert.DoesNotContain((await OutboxAsync()).Skip(before), m => m.Channel == OutboxChannel.Sms);

        // A number kept that is not a mobile one (a Singapore fixed line), SMS on: still no SMS.
        await using (var db = _portal.CreateDbContext())
        {
            await db.Users.Where(u => u.Id == _world.PatientUserId)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.PhoneNumber, "+6563123456").SetProperty(x => x.SmsNotices, true));
        }

        before = (await OutboxAsync()).Count;
        await NotifyAsync();
        Assert.DoesNotContain((await OutboxAsync()).Skip(before), m => m.Channel == OutboxChannel.Sms);
    }

    [Fact]
    public async Task A_patient_who_turned_email_off_gets_only_the_sms_and_the_portals_notice()
    {
        await SaveAsync(_world.PatientUserId, byEmail: false, bySms: true, phone: "+65 8123 4567");
        var before = (await OutboxAsync()).Count;
        await using var db = _portal.CreateDbContext();
        var notices = await db.PatientNotices.CountAsync(n => n.PatientId == _world.OpenPatientId);

        await NotifyAsync();

        var added = (await OutboxAsync()).Skip(before).ToList();
        Assert.Equal([(OutboxChannel.Sms, "+6581234567")], added.Select(m => (m.Channel, m.To)));
        Assert.Equal(notices + 1, await db.PatientNotices.CountAsync(n => n.PatientId == _world.OpenPatientId));
    }

    private async Task NotifyAsync()
    {
        await using var db = _portal.CreateDbContext();
        await PatientNotifier.NotifyAsync(db, _world.OpenPatientId, NoticeKind.RegisteredByProvider,
            new PatientMessage("{0} registered you for care until {1}. While you are registered, its care team may see your record as your access settings allow.",
                MessageArgument.Text("Northside Polyclinic"), MessageArgument.Day(new DateOnly(2027, 6, 30))),
            _portal.Clock.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync();
    }

    [Theory]
    [InlineData("12345", "This is not a valid phone number.")]
    [InlineData("+65 1234 5678", "This is not a valid phone number.")]
    [InlineData("call me maybe", "This is not a valid phone number.")]
    [InlineData("6312 3456", "An SMS can only be sent to a mobile number, and this number is not one.")]
    [InlineData("", "Enter your mobile number to get notices by SMS.")]
    [InlineData("   ", "Enter your mobile number to get notices by SMS.")]
    public async Task An_invalid_number_is_refused_with_a_clear_error_and_changes_nothing(string phone, string expected)
    {
        await SaveAsync(_world.PatientUserId, byEmail: true, bySms: true, phone: "9123 4567");
        var before = await AccountAsync();
        long lastEvent;
        await using (var db = _portal.CreateDbContext())
        {
            lastEvent = (await db.LastEventAsync()).Sequence;
        }

        var refused = await Assert.ThrowsAsync<DomainException>(() => SaveAsync(_world.PatientUserId, byEmail: true, bySms: true, phone: phone));

        Assert.StartsWith(expected, refused.Message, StringComparison.Ordinal);
        Assert.Equal(NoticeChannels.PhoneField, Assert.Single(refused.Errors).Key);
        Assert.Equal(before, await AccountAsync());
        await using var check = _portal.CreateDbContext();
        Assert.Equal(lastEvent, (await check.LastEventAsync()).Sequence);
    }

    [Fact]
    public async Task A_saved_choice_is_audited_with_the_number_masked()
    {
        await SaveAsync(_world.PatientUserId, byEmail: true, bySms: true, phone: "(+65) 9123-4567");

        await using var db = _portal.CreateDbContext();
        var e = await db.LastEventAsync();
        Assert.Equal((AuditEventTypes.NoticeChannelsChanged, _world.PatientUserId, _world.OpenPatientId), (e.EventType, e.ActorUserId, e.PatientId));
        Assert.Equal("email=on; sms=on; phone=+65****4567", e.Details);
        Assert.Contains("already your setting",
            (await Assert.ThrowsAsync<DomainException>(() => SaveAsync(_world.PatientUserId, true, true, "+6591234567"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_the_patient_chooses_their_channels_not_staff_nor_someone_acting_for_them()
    {
        foreach (var outsider in new[] { _world.DoctorUserId, _world.AdminUserId, _world.MohAdminUserId })
        {
            await Assert.ThrowsAsync<AccessRefusedException>(() => SaveAsync(outsider, true, true, "9123 4567"));
            await Assert.ThrowsAsync<AccessRefusedException>(() =>
                _portal.WithAsync<NoticeChannels, NoticeChannelSettings>(c => c.GetOwnAsync(DemoWorld.As(outsider))));
        }

        // Tan Mei Ling is Priya's caregiver: acting for Priya, she chooses only where her own notices go, never Priya's.
        long representation;
        string priyaBefore;
        await using (var db = _portal.CreateDbContext())
        {
            representation = await db.Representations.Where(r => r.PatientId == _world.SelectivePatientId).Select(r => r.Id).FirstAsync();
            priyaBefore = await db.Users.Where(u => u.Id == _world.SelectiveUserId).Select(u => $"{u.PhoneNumber}|{u.SmsNotices}").SingleAsync();
        }

        var acting = DemoWorld.As(_world.PatientUserId) with { RepresentationId = representation };
        var saved = await _portal.WithAsync<NoticeChannels, NoticeChannelSettings>(c => c.SaveOwnAsync(acting, true, true, "9123 4567"));
        await using var check = _portal.CreateDbContext();
        Assert.Equal(priyaBefore, await check.Users.Where(u => u.Id == _world.SelectiveUserId).Select(u => $"{u.PhoneNumber}|{u.SmsNotices}").SingleAsync());
        Assert.Equal((DemoAccounts.Patient, "+6591234567"), (saved.Email, saved.MobileNumber));
        Assert.Equal("+6591234567|True", await check.Users.Where(u => u.Id == _world.PatientUserId).Select(u => $"{u.PhoneNumber}|{u.SmsNotices}").SingleAsync());
        Assert.Equal(_world.OpenPatientId, (await check.LastEventAsync()).PatientId);
    }

    [Fact]
    public async Task The_development_transport_writes_each_sms_as_a_file_with_the_portals_link()
    {
        await SaveAsync(_world.PatientUserId, byEmail: false, bySms: true, phone: "9123 4567");
        await NotifyAsync();
        var sms = (await OutboxAsync()).Last(m => m.Channel == OutboxChannel.Sms);

        await _portal.Services.GetRequiredService<OutboxDispatcher>().DispatchOnceAsync();

        var file = Path.Combine(_smsFolder, $"{sms.Id:D10}.txt");
        Assert.True(File.Exists(file), $"{file} was not written.");
        var text = await File.ReadAllTextAsync(file);
        Assert.Contains("To: +6591234567\n", text, StringComparison.Ordinal);
        Assert.Contains("\nNEHR: a provider registered you for care\nSign in to the NEHR Portal to see where you are registered for care", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Northside Polyclinic", text, StringComparison.Ordinal);
        Assert.EndsWith("\nhttps://nehr.example.sg/patient/notifications\n", text, StringComparison.Ordinal);
        Assert.NotNull((await OutboxAsync()).Single(m => m.Id == sms.Id).SentAtUtc);
        Assert.Empty(Directory.EnumerateFiles(_smsFolder, "*.eml"));
    }

    [Fact]
    public async Task The_settings_page_refuses_an_invalid_number_in_the_patients_words_and_saves_a_valid_one()
    {
        using var client = await _portal.SignedInClientAsync(DemoAccounts.Patient);
        const string page = "/patient/notifications/settings";

        async Task<HttpResponseMessage> PostAsync(string phone) => await client.PostAsync(page, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = await PortalSignIn.AntiforgeryTokenAsync(client, page),
            ["_handler"] = "channels",
            ["email"] = "on",
            ["sms"] = "on",
            ["phone"] = phone,
        }));

        using (var refused = await PostAsync("6312 3456"))
        {
            var html = WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync());
            Assert.Contains("An SMS can only be sent to a mobile number, and this number is not one.", html, StringComparison.Ordinal);
            Assert.Contains("aria-invalid=\"true\"", html, StringComparison.Ordinal);
        }

        Assert.False((await _portal.WithAsync<NoticeChannels, NoticeChannelSettings>(c => c.GetOwnAsync(DemoWorld.As(_world.PatientUserId)))).BySms);

        using (var saved = await PostAsync("9123 4567"))
        {
            Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        }

        var settings = await _portal.WithAsync<NoticeChannels, NoticeChannelSettings>(c => c.GetOwnAsync(DemoWorld.As(_world.PatientUserId)));
        Assert.Equal(("+6591234567", true), (settings.MobileNumber, settings.BySms));
    }
}
