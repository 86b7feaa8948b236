extension SysctlAction {
    /// Documentation that the test suite runs (see `KindExamples`): whole actions, as written
    /// under `actions:`.
    public static let examples = KindExamples(
        valid: [
            """
            name: raise-conntrack-max
            explain: Give the full table room; double it, within a quarter of available memory.
            risk: safe
            sysctl:
              key: [net.netfilter.nf_conntrack_max, net.nf_conntrack_max, net.ipv4.netfilter.ip_conntrack_max]
              set: max(current * 2, 65536)
              floor: 65536
              ceiling: ${max_ceiling}
              direction: raise
              memory_budget:
                share: 25%
                object_size: auto
              hashsize:
                divisor: 4
              persist:
                file: /etc/sysctl.d/90-ctfix-conntrack.conf
                modules_load: nf_conntrack
            """,
            """
            name: halve-established-timeout
            explain: Idle established flows leave the table sooner; keep at least an hour.
            risk: safe
            sysctl:
              key:
                - net.netfilter.nf_conntrack_tcp_timeout_established
                - net.ipv4.netfilter.ip_conntrack_tcp_timeout_established
              multiply: 0.5
              floor: 3600
              direction: lower
            """,
            """
            name: rule-of-thumb-max
            explain: 16 entries per MiB of RAM, the classic sizing rule.
            risk: safe
            sysctl:
              key: net/netfilter/nf_conntrack_max
              set: ram_mb * 16
              ceiling: mem_available / 320 / 4
              memory_budget: {object_size: 384}
            """,
            """
            name: more-backlog
            explain: A longer accept queue.
            risk: disruptive
            sysctl:
              key: net.core.somaxconn
              add: 1024
            """,
        ],
        invalid: [
            .init("""
                name: escape
                explain: x
                risk: safe
                sysctl:
                  key: ../../etc/shadow
                  set: 1
                """, at: 5, 8, "'../../etc/shadow' is not a valid sysctl key: '..' and '.' components are not allowed"),
            .init("""
                name: two-changes
                explain: x
                risk: safe
                sysctl:
                  key: net.netfilter.nf_conntrack_max
                  set: 262144
                  multiply: 2
                """, at: 7, 3, "takes only one of set, multiply, add; found set and multiply"),
            .init("""
                name: no-change
                explain: x
                risk: safe
                sysctl:
                  key: net.netfilter.nf_conntrack_max
                """, at: 5, 3, "'sysctl' needs exactly one of: set, multiply, add"),
            .init("""
                name: crossed-clamps
                explain: x
                risk: safe
                sysctl:
                  key: net.netfilter.nf_conntrack_max
                  set: current * 2
                  floor: 1048576
                  ceiling: 65536
                """, at: 8, 12, "ceiling (65536) is below floor (1048576)"),
            .init("""
                name: wrong-way
                explain: x
                risk: safe
                sysctl:
                  key: net.netfilter.nf_conntrack_max
                  multiply: 0.5
                  direction: raise
                """, at: 6, 13, "multiply 0.5 can only lower the value, but direction is 'raise'"),
            .init("""
                name: budget-on-timeout
                explain: x
                risk: safe
                sysctl:
                  key: net.netfilter.nf_conntrack_tcp_timeout_established
                  multiply: 0.5
                  memory_budget: {share: 25%}
                """, at: 7, 3, "memory_budget only applies to the conntrack table size"),
            .init("""
                name: greedy-budget
                explain: x
                risk: safe
                sysctl:
                  key: net.netfilter.nf_conntrack_max
                  set: current * 4
                  memory_budget:
                    share: 95%
                """, at: 8, 12, "share must be above 0% and at most 90%"),
            .init("""
                name: persist-elsewhere
                explain: x
                risk: safe
                sysctl:
                  key: net.netfilter.nf_conntrack_max
                  set: 262144
                  persist:
                    file: /tmp/conntrack.conf
                """, at: 8, 11, "persist file must be /etc/sysctl.conf or /etc/sysctl.d/NAME.conf"),
            .init("""
                name: typo
                explain: x
                risk: safe
                sysctl:
                  key: net.netfilter.nf_conntrack_max
                  set: 262144
                  cieling: 1048576
                """, at: 7, 3, "unknown key 'cieling' in 'sysctl' (did you mean 'ceiling'?)"),
            .init("""
                name: unknown-variable
                explain: x
                risk: safe
                sysctl:
                  key: net.netfilter.nf_conntrack_max
                  set: currnet * 2
                """, at: 6, 8, "uses unknown name 'currnet'"),
        ],
        parameters: ["max_ceiling"]
    )
}
