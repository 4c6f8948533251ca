# SPDX-License-Identifier: BSD-2-Clause
defmodule :cordon_dist do
  @moduledoc """
  The Erlang distribution carrier of a BEAM protection domain
  (`-proto_dist cordon`): two BEAM PDs joined by a channel the system
  description declares a distribution link (`<channel dist="true">`) are
  Erlang nodes of one cluster, with the link's two message queues as the
  only wire. No TCP, no epmd.

  The monitor starts such a PD with `-sname APP@PD -proto_dist cordon
  -start_epmd false -kernel prevent_overlapping_partitions false` (there is
  no mesh: see docs/system-description.md) and hands in, in the environment variable
  `CORDON_DIST`, one `CHANNEL:PEER_NODE:SECRET` entry per link (read once
  and removed from the environment, so no port program inherits it). Each
  secret becomes the cookie of that one peer (`erlang:set_cookie/2`), so a
  PD can authenticate only as itself and only to its linked peers. A node
  that is not a linked peer is refused by `select/1`: `Node.connect/1`
  answers `false` at once and nothing is sent.

  ## The wire

  One process per link (the *link process*) is the channel's subscriber and
  the only one that touches its queues; once a connection is up it is also
  the connection's distribution controller (`erlang:setnode/3` names it).
  Every queue message is one of:

    * `<<?I, attempt::32, packet>>` — a handshake packet of a connection
      the sender started, `<<?R, attempt::32, packet>>` — one of a
      connection the receiver started: both sides may start at once
      (simultaneous connect), and the tag keeps the two handshakes apart on
      the one pair of queues; `attempt`, the initiator's number for this
      attempt, keeps an attempt apart from an older one whose packets are
      still in the ring (its initiator died or gave up);
    * `<<0>>` — a tick;
    * `<<?X>>` — the sender dropped the connection;
    * `<<?F, part>>`..`<<?L, part>>` — one distribution packet too big for
      a queue message, in parts (the VM fragments at 64 KiB, but a
      fragment's header can add to that);
    * anything else — one distribution packet, as
      `erlang:dist_ctrl_get_data/1` gave it, for `erlang:dist_ctrl_put_data/2`.

  Delivery is the queue's: reliable, in order, and a full ring holds the
  sender back (the packets wait in the link process until the consumer
  makes room and the channel notifies). A packet the VM refuses, a ring the
  peer corrupted, a tag that makes no sense: the connection is dropped
  (the link process exits, and a fresh one takes the channel), the VM
  lives on.

  ## Failure

  When the peer PD dies, the monitor's peer-down event reaches the link
  process at once: it drops the connection (`nodedown`, `:noconnection` to
  monitors and links) without waiting for `net_ticktime`, and discards what
  the dead incarnation left in the ring. When the peer is up again, the
  next `Node.connect/1` (or any send to a name on that node, which connects
  on demand) sets up a new connection. The node's creation is the PD's
  incarnation (its restart count) plus 4, so a pid of a dead incarnation
  never names a process of the new one.
  """

  require Record

  Record.defrecordp(
    :hs_data,
    Record.extract(:hs_data, from_lib: "kernel/include/dist_util.hrl")
  )

  Record.defrecordp(
    :net_address,
    Record.extract(:net_address, from_lib: "kernel/include/net_address.hrl")
  )

  @tag_in ?I
  @tag_reply ?R
  @tag_close ?X
  @tag_part ?F
  @tag_last ?L
  # How many queue messages one turn of the link process reads or writes
  # before it looks at its mailbox again (ticks, getstat, peer-down).
  @batch 64

  # ---- the interface net_kernel calls ----

  @doc false
  def select(node) when is_atom(node), do: Map.has_key?(links(), node)
  def select(_), do: false

  @doc false
  def is_node_name(node) when is_atom(node),
    do: match?([_, _], :string.split(Atom.to_charlist(node), ~c"@"))

  def is_node_name(_), do: false

  @doc false
  def listen(name, host), do: listen(name, host, [])

  @doc false
  def listen(name) do
    {:ok, host} = :inet.gethostname()
    listen(name, host, [])
  end

  defp listen(_name, host, _) do
    case read_links() do
      {:ok, links} ->
        :persistent_term.put({__MODULE__, :links}, links)
        %{incarnation: inc} = Cordon.NIF.info()
        address = net_address(address: :cordon, host: host, protocol: :cordon, family: :cordon)
        {:ok, {:cordon, address, inc + 4}}

      {:error, why} ->
        :error_logger.error_msg(~c"cordon_dist: ~ts~n", [why])
        {:error, :no_links}
    end
  end

  @doc false
  def close(_listen), do: :ok

  @doc false
  def accept(_listen) do
    :erlang.spawn_opt(__MODULE__, :manager, [self()], [:link, {:priority, :max}])
  end

  @doc false
  def accept_connection(manager, link, my_node, allowed, setup_time) do
    :erlang.spawn_opt(
      __MODULE__,
      :do_accept,
      [self(), manager, link, my_node, allowed, setup_time],
      [:link, {:priority, :max}]
    )
  end

  @doc false
  def setup(node, type, my_node, _long_or_short, setup_time) do
    :erlang.spawn_opt(
      __MODULE__,
      :do_setup,
      [self(), node, type, my_node, setup_time],
      [:link, {:priority, :max}]
    )
  end

  @doc false
  def do_setup(kernel, node, type, my_node, setup_time) do
    timer = :dist_util.start_timer(setup_time)

    with {:ok, link} <- call(:cordon_dist, {:link_of, node}),
         :ok <- call(link, :setup) do
      hs =
        hs_data(hs_common(link),
          kernel_pid: kernel,
          other_node: node,
          this_node: my_node,
          timer: timer,
          other_version: 6,
          request_type: type
        )

      :dist_util.handshake_we_started(hs)
    else
      _ -> :dist_util.shutdown(__MODULE__, __ENV__.line, node)
    end
  end

  @doc false
  def do_accept(kernel, manager, link, my_node, allowed, setup_time) do
    receive do
      {^manager, :controller} ->
        timer = :dist_util.start_timer(setup_time)

        hs =
          hs_data(hs_common(link),
            kernel_pid: kernel,
            this_node: my_node,
            timer: timer,
            allowed: allowed
          )

        :dist_util.handshake_other_started(hs)
    end
  end

  defp hs_common(link) do
    hs_data(
      socket: link,
      this_flags: 0,
      f_send: fn ctrl, packet -> call(ctrl, {:send, packet}) end,
      f_recv: fn ctrl, _len, _timeout -> call(ctrl, :recv) end,
      f_setopts_pre_nodeup: fn _ -> :ok end,
      f_setopts_post_nodeup: fn _ -> :ok end,
      f_getll: fn ctrl -> {:ok, ctrl} end,
      f_address: fn ctrl, node ->
        case call(ctrl, {:address, node}) do
          {:error, _} -> :dist_util.shutdown(__MODULE__, __ENV__.line, node)
          address -> address
        end
      end,
      f_handshake_complete: fn ctrl, node, dh -> call(ctrl, {:complete, node, dh}) end,
      mf_tick: fn ctrl -> send(ctrl, :tick) end,
      mf_getstat: fn ctrl -> call(ctrl, :getstat) end,
      mf_setopts: fn _, _ -> {:error, :enotsup} end,
      mf_getopts: fn _, _ -> {:error, :enotsup} end
    )
  end

  # A call to the manager or a link process; {:error, :noproc} when it is
  # gone (a handshake then shuts down; a connection is already going down).
  defp call(to, msg) do
    ref = Process.monitor(to)
    send(to, {ref, self(), msg})

    receive do
      {^ref, result} ->
        Process.demonitor(ref, [:flush])
        result

      {:DOWN, ^ref, :process, _, reason} ->
        exit({:cordon_dist_controller_exit, reason})
    end
  end

  defp reply({ref, from}, result), do: send(from, {ref, result})

  # ---- the links, handed in by the monitor ----

  defp links, do: :persistent_term.get({__MODULE__, :links}, %{})

  # CORDON_DIST="CH:NODE:SECRET,..." -> %{node => {ch, secret}}
  defp read_links do
    env = :os.getenv(~c"CORDON_DIST")
    :os.unsetenv(~c"CORDON_DIST")

    case env do
      false ->
        {:error, "no CORDON_DIST in the environment: this PD has no distribution link"}

      text ->
        text
        |> List.to_string()
        |> String.split(",", trim: true)
        |> Enum.reduce_while({:ok, %{}}, fn entry, {:ok, acc} ->
          case String.split(entry, ":") do
            [ch, node, secret] when secret != "" ->
              case Integer.parse(ch) do
                {id, ""} when id in 0..62 ->
                  {:cont, {:ok, Map.put(acc, String.to_atom(node), {id, String.to_atom(secret)})}}

                _ ->
                  {:halt, {:error, "CORDON_DIST: bad channel in #{inspect(entry)}"}}
              end

            _ ->
              {:halt, {:error, "CORDON_DIST: an entry is CH:NODE:SECRET, not #{inspect(entry)}"}}
          end
        end)
    end
  end

  # ---- the manager: the "acceptor" net_kernel links to ----

  @doc false
  def manager(kernel) do
    Process.register(self(), :cordon_dist)

    links =
      for {node, {ch, secret}} <- links(), into: %{} do
        true = :erlang.set_cookie(node, secret)
        {ch, node}
      end

    by_ch = for {ch, node} <- links, into: %{}, do: {ch, start_link_process(ch, node, [])}
    manager_loop(kernel, links, by_ch)
  end

  defp start_link_process(ch, node, early) do
    {pid, _ref} =
      :erlang.spawn_opt(__MODULE__, :link_init, [self(), ch, node, early], [
        :monitor,
        {:priority, :high},
        {:message_queue_data, :off_heap},
        {:fullsweep_after, 0}
      ])

    pid
  end

  defp manager_loop(kernel, links, by_ch) do
    receive do
      {:accept, link} ->
        # net_kernel answers with the process that will run the handshake.
        send(kernel, {:accept, self(), link, :cordon, :cordon})

        receive do
          {^kernel, :controller, pid} ->
            send(link, {:hs_in, pid})
            send(pid, {self(), :controller})

          {^kernel, :unsupported_protocol} ->
            exit(:unsupported_protocol)
        end

        manager_loop(kernel, links, by_ch)

      {ref, from, {:link_of, node}} ->
        found = Enum.find(by_ch, fn {ch, _} -> links[ch] == node end)
        reply({ref, from}, if(found, do: {:ok, elem(found, 1)}, else: {:error, :no_link}))
        manager_loop(kernel, links, by_ch)

      {:DOWN, _ref, :process, pid, reason} ->
        case Enum.find(by_ch, fn {_, p} -> p == pid end) do
          {ch, _} ->
            early = with {:shutdown, {:reconnect, msgs}} <- reason, do: msgs, else: (_ -> [])
            by_ch = Map.put(by_ch, ch, start_link_process(ch, links[ch], early))
            manager_loop(kernel, links, by_ch)

          nil ->
            manager_loop(kernel, links, by_ch)
        end

      _ ->
        manager_loop(kernel, links, by_ch)
    end
  end

  # ---- the link process ----

  @doc false
  def link_init(manager, ch, node, early) do
    Process.flag(:trap_exit, true)
    Process.monitor(manager)

    case Cordon.Channel.subscribe(ch) do
      :ok -> :ok
      {:error, {:subscribed, _}} -> exit(:channel_subscribed)
    end

    s = %{
      manager: manager,
      ch: ch,
      node: node,
      max: Cordon.Queue.max_message(ch),
      # :idle, :handshake, :up
      mode: :idle,
      hs_in: nil,
      hs_out: nil,
      # handshake packets waiting for their process, and a waiting f_recv
      in_q: :queue.new(),
      out_q: :queue.new(),
      # each connection attempt has a number the initiator chose, carried
      # by all its handshake packets both ways
      in_attempt: nil,
      out_attempt: nil,
      in_wait: nil,
      out_wait: nil,
      accepting: false,
      # distribution packets that came before our side of the handshake
      # completed (the peer completes first when it accepted)
      early: [],
      dh: nil,
      tx: :queue.new(),
      parts: [],
      broken: false,
      recv_cnt: 0,
      send_cnt: 0
    }

    s = Enum.reduce(early, s, &handle_msg(&2, &1))
    link_loop(drain(s))
  end

  defp link_loop(s) do
    receive do
      {:cordon_notify, _} ->
        # Acknowledged before draining: a notification that comes while
        # draining is then a fresh message, never lost (Cordon.Channel).
        Cordon.Channel.ack(s.ch)
        s |> drain() |> flush() |> link_loop()

      :dist_data ->
        s |> flush() |> link_loop()

      :drain ->
        s |> drain() |> link_loop()

      :tick ->
        if s.mode == :up and :queue.is_empty(s.tx), do: Cordon.Queue.send(s.ch, <<0>>)
        link_loop(s)

      {:cordon_peer_down, _} ->
        # What is in the ring now is the dead incarnation's.
        discard(s.ch)
        exit(:peer_down)

      {:cordon_peer_up, _} ->
        Cordon.Channel.ack(s.ch)
        link_loop(%{s | broken: false} |> drain())

      {ref, from, req} when is_reference(ref) ->
        link_loop(request(s, {ref, from}, req))

      {:hs_in, pid} ->
        Process.monitor(pid)
        s = %{s | hs_in: pid, accepting: false, mode: up_or(s, :handshake)}
        link_loop(answer(s, :in))

      {:DOWN, _, :process, pid, _} ->
        link_loop(hs_gone(s, pid))

      {:EXIT, _, reason} ->
        die(s, reason)

      _ ->
        link_loop(s)
    end
  end

  defp up_or(%{mode: :up}, _), do: :up
  defp up_or(_, mode), do: mode

  defp request(s, from, :setup) do
    if s.hs_out == nil and s.mode != :up do
      {_, pid} = from
      Process.monitor(pid)
      reply(from, :ok)
      attempt = :erlang.unique_integer([:positive]) |> Bitwise.band(0xFFFFFFFF)
      %{s | hs_out: pid, out_attempt: attempt, mode: :handshake}
    else
      reply(from, {:error, :busy})
      s
    end
  end

  defp request(s, {_, pid} = from, {:send, packet}) do
    head =
      if pid == s.hs_out,
        do: <<@tag_in, s.out_attempt::32>>,
        else: <<@tag_reply, s.in_attempt::32>>

    bin = IO.iodata_to_binary([head, packet])

    reply(
      from,
      if(byte_size(bin) <= s.max, do: queue_send_wait(s, bin), else: {:error, :too_big})
    )

    s
  end

  defp request(s, {_, pid} = from, :recv) do
    cond do
      pid == s.hs_out -> answer(%{s | out_wait: from}, :out)
      pid == s.hs_in -> answer(%{s | in_wait: from}, :in)
      true -> reply(from, {:error, :closed}) && s
    end
  end

  defp request(s, from, {:address, node}) do
    reply(
      from,
      if node == s.node do
        [_, host] = :string.split(Atom.to_charlist(node), ~c"@")
        net_address(address: {:cordon, s.ch}, host: host, protocol: :cordon, family: :cordon)
      else
        # A peer claiming another node's name on this link: it cannot
        # know that node's secret either, but refuse before the challenge.
        {:error, :not_this_link}
      end
    )

    s
  end

  defp request(s, {_, pid} = from, {:complete, _node, dh}) do
    Process.link(pid)
    reply(from, :ok)
    :ok = :erlang.dist_ctrl_get_data_notification(dh)
    s = %{s | mode: :up, dh: dh}
    s = s.early |> Enum.reverse() |> Enum.reduce(%{s | early: []}, &put_data(&2, &1))
    flush(s)
  end

  defp request(s, from, :getstat) do
    reply(from, {:ok, s.recv_cnt, s.send_cnt, :queue.len(s.tx)})
    s
  end

  defp request(s, from, _), do: reply(from, {:error, :unknown}) && s

  # During the handshake a packet is small and the peer's link process
  # reads at once: the ring is full only while it catches up, so wait here
  # (bounded; the setup timer bounds the handshake anyway).
  defp queue_send_wait(s, bin, tries \\ 1000) do
    case Cordon.Queue.send(s.ch, bin) do
      {:error, :full} when tries > 0 ->
        :timer.sleep(1)
        queue_send_wait(s, bin, tries - 1)

      other ->
        other
    end
  end

  # Hand a queued handshake packet to the f_recv waiting on side :in
  # (our accept) or :out (our setup).
  defp answer(s, :in), do: answer(s, :in_wait, :in_q)
  defp answer(s, :out), do: answer(s, :out_wait, :out_q)

  defp answer(s, wait, queue) do
    with {_, _} = w <- Map.fetch!(s, wait),
         {{:value, p}, q} <- :queue.out(Map.fetch!(s, queue)) do
      reply(w, {:ok, :erlang.binary_to_list(p)})
      s |> Map.put(queue, q) |> Map.put(wait, nil)
    else
      _ -> s
    end
  end

  defp hs_gone(%{manager: pid} = s, pid), do: die(s, :shutdown)

  defp hs_gone(s, pid) do
    s =
      cond do
        pid == s.hs_in -> %{s | hs_in: nil, in_q: :queue.new(), in_wait: nil}
        pid == s.hs_out -> %{s | hs_out: nil, out_q: :queue.new(), out_wait: nil}
        true -> s
      end

    # idle again when no handshake runs nor is about to (an accept asked of
    # net_kernel is on its way)
    if s.mode == :handshake and s.hs_in == nil and s.hs_out == nil and not s.accepting,
      do: %{s | mode: :idle, early: []},
      else: s
  end

  # ---- reading the ring ----

  defp drain(s), do: drain(s, @batch)

  defp drain(%{broken: true} = s, _), do: s

  defp drain(s, 0) do
    send(self(), :drain)
    s
  end

  defp drain(s, n) do
    case Cordon.Queue.recv(s.ch) do
      {:ok, bin} ->
        s = %{s | recv_cnt: s.recv_cnt + 1}
        drain(handle_msg(s, bin), n - 1)

      {:error, :empty} ->
        s

      {:error, :broken} ->
        # The peer corrupted the ring: no more reading until it restarts.
        if s.mode == :idle, do: %{s | broken: true}, else: die(s, :broken_ring)

      {:error, _} ->
        s
    end
  end

  defp handle_msg(s, <<0>>), do: s

  defp handle_msg(s, <<@tag_in, attempt::32, p::binary>> = msg) do
    cond do
      s.mode == :up ->
        # The peer starts over: it dropped the connection we still hold.
        # The new link process gets this packet.
        die(s, {:shutdown, {:reconnect, [msg | rest(s.ch)]}}, false)

      attempt == s.in_attempt ->
        answer(%{s | in_q: :queue.in(p, s.in_q)}, :in)

      true ->
        # A new attempt: whatever handshake we ran for an older one is
        # stale (its initiator gave up or died), and would only answer
        # the new one's packets with the old one's state.
        if s.hs_in, do: Process.exit(s.hs_in, :kill)
        unless s.accepting, do: send(s.manager, {:accept, self()})

        %{
          s
          | hs_in: nil,
            in_wait: nil,
            in_attempt: attempt,
            in_q: :queue.from_list([p]),
            accepting: true,
            mode: :handshake
        }
    end
  end

  # Only the answers to our current attempt.
  defp handle_msg(s, <<@tag_reply, attempt::32, p::binary>>) do
    if s.hs_out != nil and attempt == s.out_attempt,
      do: answer(%{s | out_q: :queue.in(p, s.out_q)}, :out),
      else: s
  end

  # Only a connection that is up can be the one the peer dropped: a close
  # seen idle or in a handshake is an older connection's.
  defp handle_msg(s, <<@tag_close>>) do
    if s.mode == :up, do: die(s, :peer_closed, false), else: s
  end

  defp handle_msg(s, <<@tag_part, p::binary>>), do: %{s | parts: [p | s.parts]}

  defp handle_msg(s, <<@tag_last, p::binary>>) do
    bin = IO.iodata_to_binary(Enum.reverse([p | s.parts]))
    handle_data(%{s | parts: []}, bin)
  end

  defp handle_msg(s, bin), do: handle_data(s, bin)

  defp handle_data(%{mode: :up} = s, bin), do: put_data(s, bin)

  defp handle_data(%{mode: :handshake} = s, bin), do: %{s | early: [bin | s.early]}

  # Left over from a connection that is gone.
  defp handle_data(s, _bin), do: s

  defp put_data(s, bin) do
    :erlang.dist_ctrl_put_data(s.dh, bin)
    s
  catch
    _, _ -> die(s, :bad_data)
  end

  defp rest(ch) do
    case Cordon.Queue.recv(ch) do
      {:ok, bin} -> [bin | rest(ch)]
      _ -> []
    end
  end

  defp discard(ch), do: rest(ch) && :ok

  # ---- writing the ring ----

  defp flush(%{mode: :up} = s), do: flush(s, @batch)
  defp flush(s), do: s

  defp flush(s, 0) do
    send(self(), :dist_data)
    s
  end

  defp flush(s, n) do
    case :queue.peek(s.tx) do
      {:value, bin} ->
        case Cordon.Queue.send(s.ch, bin) do
          :ok ->
            flush(%{s | tx: :queue.drop(s.tx), send_cnt: s.send_cnt + 1}, n - 1)

          {:error, :full} ->
            # The consumer notifies the channel when it made room.
            s

          {:error, :peer_down} ->
            discard(s.ch)
            exit(:peer_down)

          {:error, why} ->
            die(s, why)
        end

      :empty ->
        case :erlang.dist_ctrl_get_data(s.dh) do
          :none ->
            :ok = :erlang.dist_ctrl_get_data_notification(s.dh)
            s

          data ->
            flush(%{s | tx: enqueue(s.tx, IO.iodata_to_binary(data), s.max)}, n)
        end
    end
  end

  # A packet that is no queue message's size (the VM's 64 KiB fragment and
  # its header in a small ring) goes in parts, each tagged.
  defp enqueue(tx, bin, max) when byte_size(bin) <= max, do: :queue.in(bin, tx)

  defp enqueue(tx, bin, max) do
    case bin do
      <<part::binary-size(max - 1), more::binary>> when byte_size(more) > 0 ->
        enqueue_parts(:queue.in(<<@tag_part, part::binary>>, tx), more, max)
    end
  end

  defp enqueue_parts(tx, bin, max) when byte_size(bin) <= max - 1,
    do: :queue.in(<<@tag_last, bin::binary>>, tx)

  defp enqueue_parts(tx, bin, max) do
    <<part::binary-size(max - 1), more::binary>> = bin
    enqueue_parts(:queue.in(<<@tag_part, part::binary>>, tx), more, max)
  end

  # Drop the connection: tell the peer (unless it told us), then exit; the
  # VM takes the connection down with its controller, and the manager
  # starts a fresh link process on the channel.
  defp die(s, reason, tell \\ true) do
    if tell and s.mode != :idle, do: Cordon.Queue.send(s.ch, <<@tag_close>>)
    exit(reason)
  end
end
