/// The valid playbook every generated hostile case starts from (`HostilePlaybooks`): block
/// style, one field per line, so a generator can replace any field's value by line. Valid for
/// `validate`, fires on examples/hosts/ubuntu-table-full, and plans every action kind that has
/// a numeric, duration or string field.
enum HostileBase {
    static let text = """
        version: 1
        name: hostile-base
        summary: Generated base playbook of the hostile-input suite.
        description: Every numeric, duration and string field a playbook has, each on its own line.
        parameters:
          usage_threshold:
            type: number
            default: 90%
            minimum: 0
            maximum: 1
            description: Share of the table that counts as full.
          max_ceiling:
            type: integer
            default: 4194304
            minimum: 65536
            description: Never raise the table beyond this many entries.
          settle:
            type: duration
            default: 30s
            description: Time to settle.
          unit:
            type: string
            default: conntrackd.service
            description: The unit to restart.
        cooldown: 30m
        on_failure: stop
        detect:
          any:
            - log:
                pattern: 'nf_conntrack: table full'
                within: 15m
                min_count: 1
            - ratio:
                numerator:
                  sysctl: net.netfilter.nf_conntrack_count
                denominator:
                  sysctl: net.netfilter.nf_conntrack_max
                above: ${usage_threshold}
            - value:
                sysctl: net.netfilter.nf_conntrack_count
                above: 100000
                for: 5s
            - counter:
                stat: nf_conntrack
                columns: [drop, early_drop]
                over: 5s
                above: 0
                usage:
                  above: 80%
            - not:
                file_matches:
                  path: /etc/sysctl.conf
                  pattern: '^net'
        actions:
          - name: raise-conntrack-max
            explain: Double the table within the memory budget.
            risk: safe
            sysctl:
              key: net.netfilter.nf_conntrack_max
              set: max(current * 2, 65536)
              ceiling: ${max_ceiling}
              direction: raise
              memory_budget:
                share: 25%
              hashsize:
                divisor: 4
          - name: halve-timeout
            explain: Halve the established timeout.
            risk: safe
            sysctl:
              key: net.netfilter.nf_conntrack_tcp_timeout_established
              multiply: 0.5
              floor: 600
              direction: lower
          - name: longer-udp-timeout
            explain: Lengthen the UDP timeout.
            risk: safe
            sysctl:
              key: net.netfilter.nf_conntrack_udp_timeout
              add: 10
              direction: raise
          - name: restart-unit
            explain: Restart the unit.
            risk: disruptive
            restart_service:
              unit: ${unit}
              timeout: 60s
          - name: drop
            explain: Drop caches.
            risk: disruptive
            drop_caches:
              level: 1
          - name: log-it
            explain: Note it in syslog.
            risk: safe
            command:
              argv: [logger, -t, ctfix, done]
              timeout: 30s
        verify:
          delay: 10s
          healthy:
            ratio:
              numerator:
                sysctl: net.netfilter.nf_conntrack_count
              denominator:
                sysctl: net.netfilter.nf_conntrack_max
              below: ${usage_threshold}
        """
}
