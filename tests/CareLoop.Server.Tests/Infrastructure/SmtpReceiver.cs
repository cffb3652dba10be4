using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MimeKit;

namespace CareLoop.Server.Tests.Infrastructure;

/// <summary>
/// A small real SMTP server on a loopback port for notification tests (no SMTP server package is available). Speaks
/// EHLO/HELO, MAIL FROM, RCPT TO, DATA (with dot-unstuffing), RSET, NOOP and QUIT; records each accepted message,
/// parsed with MimeKit. Replies can be scripted per recipient address: the next RCPT of it, or the end of its DATA,
/// answers a given line (e.g. <c>451 4.3.0 Try again later</c> or <c>550 5.1.1 Mailbox unavailable</c>). It can be
/// stopped (connections are then refused) and started again on the same port.
/// </summary>
public sealed class SmtpReceiver : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _rcptReplies = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _dataReplies = new(StringComparer.OrdinalIgnoreCase);
    private TcpListener? _listener;
    private CancellationTokenSource? _stop;
    private Task? _accepting;

    private SmtpReceiver(int port) => Port = port;

    public int Port { get; }

    public ConcurrentQueue<ReceivedMail> Received { get; } = new();

    private int _connections;

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Every RCPT TO address seen (accepted or not), to tell an attempt from silence.</summary>
    public ConcurrentQueue<string> RecipientsTried { get; } = new();

    public static SmtpReceiver Start()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var receiver = new SmtpReceiver(port);
        receiver.StartAgain();
        return receiver;
    }

    public void StartAgain()
    {
        var listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        _listener = listener;
        _stop = new CancellationTokenSource();
        _accepting = AcceptAsync(listener, _stop.Token);
    }

    /// <summary>Stops listening: connecting now fails with "connection refused".</summary>
    public async Task StopAsync()
    {
        if (_listener is null)
        {
            return;
        }
        await _stop!.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting!;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        _listener = null;
    }

    /// <summary>The next RCPT TO of <paramref name="address"/> is answered with each of <paramref name="replies"/> in turn, then accepted again.</summary>
    public void ScriptRecipient(string address, params string[] replies)
    {
        var queue = _rcptReplies.GetOrAdd(address, _ => new ConcurrentQueue<string>());
        foreach (var r in replies) queue.Enqueue(r);
    }

    /// <summary>The next message to <paramref name="address"/> is answered at the end of its DATA with each of <paramref name="replies"/> in turn (and not recorded).</summary>
    public void ScriptData(string address, params string[] replies)
    {
        var queue = _dataReplies.GetOrAdd(address, _ => new ConcurrentQueue<string>());
        foreach (var r in replies) queue.Enqueue(r);
    }

    public IReadOnlyList<ReceivedMail> To(string address) =>
        Received.Where(m => m.Recipients.Contains(address, StringComparer.OrdinalIgnoreCase)).ToList();

    private async Task AcceptAsync(TcpListener listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(ct);
                Interlocked.Increment(ref _connections);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client, ct), CancellationToken.None);
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken ct)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            var reader = new LineReader(stream);
            async Task Reply(string line) => await stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"), ct);

            await Reply("220 careloop-test ESMTP ready");
            string? from = null;
            var recipients = new List<string>();
            while (await reader.ReadLineAsync(ct) is { } bytes)
            {
                var line = Encoding.Latin1.GetString(bytes);
                var verb = (line.Length >= 4 ? line[..4] : line).ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await Reply("250-careloop-test greets you\r\n250 8BITMIME");
                        break;
                    case "HELO":
                        await Reply("250 careloop-test");
                        break;
                    case "MAIL":
                        from = Address(line);
                        recipients.Clear();
                        await Reply("250 2.1.0 Sender OK");
                        break;
                    case "RCPT":
                        var to = Address(line);
                        RecipientsTried.Enqueue(to);
                        if (_rcptReplies.TryGetValue(to, out var scripted) && scripted.TryDequeue(out var rcptReply))
                        {
                            await Reply(rcptReply);
                        }
                        else
                        {
                            recipients.Add(to);
                            await Reply("250 2.1.5 Recipient OK");
                        }
                        break;
                    case "DATA":
                        if (from is null || recipients.Count == 0)
                        {
                            await Reply("503 5.5.1 Need MAIL and RCPT first");
                            break;
                        }
                        await Reply("354 End data with <CR><LF>.<CR><LF>");
                        var data = new MemoryStream();
                        while (await reader.ReadLineAsync(ct) is { } dataLine)
                        {
                            if (dataLine is [(byte)'.'])
                            {
                                break;
                            }
                            // Dot-unstuffing: a line the client began with an extra '.' loses it.
                            var content = dataLine is [(byte)'.', ..] ? dataLine[1..] : dataLine;
                            data.Write(content);
                            data.Write("\r\n"u8);
                        }
                        var refusal = recipients.Select(r => _dataReplies.TryGetValue(r, out var q) && q.TryDequeue(out var s) ? s : null).FirstOrDefault(s => s is not null);
                        if (refusal is not null)
                        {
                            await Reply(refusal);
                        }
                        else
                        {
                            data.Position = 0;
                            var message = await MimeMessage.LoadAsync(data, ct);
                            Received.Enqueue(new ReceivedMail(from, recipients.ToList(), message, data.ToArray()));
                            await Reply("250 2.0.0 Queued as " + Received.Count);
                        }
                        from = null;
                        recipients.Clear();
                        break;
                    case "RSET":
                        from = null;
                        recipients.Clear();
                        await Reply("250 2.0.0 OK");
                        break;
                    case "NOOP":
                        await Reply("250 2.0.0 OK");
                        break;
                    case "QUIT":
                        await Reply("221 2.0.0 Bye");
                        return;
                    default:
                        await Reply("502 5.5.2 Command not recognised");
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // The client went away or the receiver stopped.
        }
    }

    /// <summary><c>MAIL FROM:&lt;a@b&gt; BODY=8BITMIME</c> → <c>a@b</c>.</summary>
    private static string Address(string line)
    {
        var start = line.IndexOf('<', StringComparison.Ordinal);
        var end = line.IndexOf('>', start + 1);
        return start >= 0 && end > start ? line[(start + 1)..end] : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>Reads CRLF-terminated lines as bytes (DATA may carry 8-bit text).</summary>
    private sealed class LineReader(NetworkStream stream)
    {
        private readonly byte[] _buffer = new byte[8192];
        private int _start;
        private int _end;

        public async Task<byte[]?> ReadLineAsync(CancellationToken ct)
        {
            var line = new MemoryStream();
            while (true)
            {
                for (var i = _start; i < _end; i++)
                {
                    if (_buffer[i] == (byte)'\n')
                    {
                        line.Write(_buffer, _start, i - _start);
                        _start = i + 1;
                        var bytes = line.ToArray();
                        return bytes.Length > 0 && bytes[^1] == (byte)'\r' ? bytes[..^1] : bytes;
                    }
                }
                line.Write(_buffer, _start, _end - _start);
                _start = 0;
                _end = await stream.ReadAsync(_buffer, ct);
                if (_end == 0)
                {
                    return null;
                }
            }
        }
    }
}

public sealed record ReceivedMail(string From, IReadOnlyList<string> Recipients, MimeMessage Message, byte[] Raw)
{
    public string Subject => Message.Subject ?? "";

    public string Text => Message.TextBody ?? "";

    public string Html => Message.HtmlBody ?? "";
}
