# etherip secure | BIG-IP 11.6.5 | peer primary | device bigip-pri-1
# Step 3 of 6: create the IKE peer backup.
# Where: bash (from tmsh: run util bash) on bigip-pri-1 only, while it is the ACTIVE unit of device group
#   dg_primary. These objects are synced: bigip-pri-2 receives the change through the
#   config-sync at the end of this file. Do not run this file on bigip-pri-2.
# Before: these steps are done, each without an error:
#   step 1 (local-network) on bigip-pri-1, bigip-pri-2
#   step 2 (tunnel) on bigip-pri-1
# Inferred: The IKE peer is config-synced like the other IPsec objects (F5's list of objects config-sync leaves out does not name it [S]); its key travels encrypted with the device group's master key [I].
# Inferred: tmsh writes the commands it runs to ~/.tmsh-history-<user>, also when bash runs it (project notes on 21.x [S]); this step deletes the lines naming preshared-key from that file; F5's qkview collects /root/.tmsh-history-root unless excluded [C].
# Inferred: While the one tmsh command runs (about a second), the key is in its command line, visible to `ps` on this unit [I]; whether /var/log/audit records it masked is not known [I]: the step counts the audit lines naming preshared-key.
# How: paste the block below, from the line "(" to the line ")", into bash in one paste. bash
#   reads the whole block before it runs any of it; then it asks for the key twice and shows
#   nothing you type. Paste nothing after the ")" line: bash would read it as the key. The tmsh
#   command in the block runs only when both entries match and the key has the form below; if
#   tmsh refuses it, nothing is created: stop and follow CHANGE.md's rollback trigger.
# Have ready: the pre-shared key agreed with the team of backup for this change (both data
#   centers type the same key): 16 to 128 characters from A-Z a-z 0-9 + / = . _ -, the first a
#   letter or digit (base64 has only these: `openssl rand -base64 48` prints 64). No file of this
#   change holds it. The block runs in a subshell: whatever stops it, the key dies with it.
# Done when it prints 'etherip: IKE peer created.' and the config-sync returns no error.
#   It printed 'IKE peer created.' and then failed: the peer exists; if you roll back, start at
#   rollback/03-ike-peer.tmsh. It says the peer exists already: this block ran
#   before; do not run it again.
(
IFS= read -r -s -p 'Pre-shared key for the IKE peer backup (not shown): ' EIP_PSK; echo
IFS= read -r -s -p 'The same key again: ' EIP_PSK_AGAIN; echo
EIP_KEY_FORM='^[A-Za-z0-9][A-Za-z0-9+/=._-]{15,127}$'
if [ "$EIP_PSK" != "$EIP_PSK_AGAIN" ]; then
  echo 'etherip: the two entries differ; nothing was changed. Paste the block again.'
elif ! (LC_ALL=C; [[ $EIP_PSK =~ $EIP_KEY_FORM ]]); then
  echo 'etherip: the key is not 16 to 128 characters from A-Z a-z 0-9 + / = . _ - (first a letter or digit); nothing was changed.'
elif tmsh list net ipsec ike-peer /Common/secure_ike remote-address >/dev/null 2>/dev/null; then
  echo 'etherip: the IKE peer exists already (this block ran before); nothing was changed. Do not run it again.'
elif tmsh create net ipsec ike-peer /Common/secure_ike remote-address 198.51.100.20 mode main phase1-auth-method pre-shared-key phase1-encrypt-algorithm aes phase1-hash-algorithm sha256 phase1-perfect-forward-secrecy modp2048 lifetime 1440 my-id-type address my-id-value 203.0.113.10 peers-id-type address peers-id-value 198.51.100.20 nat-traversal off preshared-key "$EIP_PSK"; then
  echo 'etherip: IKE peer created.'
  tmsh run cm config-sync to-group dg_primary || echo 'etherip: the IKE peer was created, the config-sync failed: see the header.'
  tmsh list net ipsec ike-peer /Common/secure_ike remote-address phase1-auth-method
else
  echo 'etherip: tmsh refused the IKE peer; nothing was created. Stop: follow the rollback trigger in CHANGE.md.'
fi
sed -i '/preshared-key/d' ~/.tmsh-history-"$(id -un)" 2>/dev/null
if (LC_ALL=C; [[ $EIP_PSK =~ $EIP_KEY_FORM ]]); then
  EIP_AUDIT=$(grep -c -F -f <(printf '%s\n' "$EIP_PSK") /var/log/audit 2>/dev/null)
  echo "etherip: lines of /var/log/audit holding the key: ${EIP_AUDIT:-not readable here}. Anything but 0: the key is disclosed (remote syslog may hold it too): tell the security team and agree a new key with the other data center."
fi
)
