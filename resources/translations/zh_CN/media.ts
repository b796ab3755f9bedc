<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>teller_client</name>
    <message>
        <source>&amp;Authorize</source>
        <translation>授权(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>取消(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Finish</source>
        <translation>办结(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Issue</source>
        <translation>制证(&amp;I)</translation>
    </message>
    <message>
        <source>&amp;Print</source>
        <translation>打印(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Print confirmation</source>
        <translation>打印确认书(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Reason:</source>
        <translation>原因(&amp;R)：</translation>
    </message>
    <message>
        <source>&amp;Supervisor re-authorization...</source>
        <translation>主管重新授权(&amp;S)...</translation>
    </message>
    <message>
        <source>&amp;Supervisor: allow a reprint...</source>
        <translation>主管授权重打(&amp;S)...</translation>
    </message>
    <message>
        <source>&amp;Try again</source>
        <translation>重试(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;UKey:</source>
        <translation>UKey(&amp;U)：</translation>
    </message>
    <message>
        <source>Agreement number: {agreement}</source>
        <translation>协议号：{agreement}</translation>
    </message>
    <message>
        <source>Agreement {agreement} for {customer}: hand over each UKey and letter below. Each item goes on its own; a failed one is retried or handed to a supervisor without redoing the others.</source>
        <translation>{customer}（协议号 {agreement}）：请逐项发放下列 UKey 和信函。各项相互独立，某项失败可单独重试或交主管处理，不影响其他项。</translation>
    </message>
    <message>
        <source>Begun earlier on UKey {token}; not finished.</source>
        <translation>此前已在 UKey {token} 上开始办理，尚未完成。</translation>
    </message>
    <message>
        <source>Begun earlier; not finished.</source>
        <translation>此前已开始办理，尚未完成。</translation>
    </message>
    <message>
        <source>Bind certificate</source>
        <translation>绑定证书</translation>
    </message>
    <message>
        <source>Certificate request</source>
        <translation>证书请求</translation>
    </message>
    <message>
        <source>Certificate {serial}</source>
        <translation>证书序列号 {serial}</translation>
    </message>
    <message>
        <source>Check UKey</source>
        <translation>核对 UKey</translation>
    </message>
    <message>
        <source>Check pre-made certificate</source>
        <translation>核验预制证书</translation>
    </message>
    <message>
        <source>Checking the supervisor's password and asking the central service...</source>
        <translation>正在核验主管密码并提交中心系统……</translation>
    </message>
    <message>
        <source>Confirmation, for the customer's signatures and seal</source>
        <translation>业务确认书（客户签字盖章）</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>Do &amp;all remaining</source>
        <translation>办理全部剩余项(&amp;A)</translation>
    </message>
    <message>
        <source>Every UKey and letter is handed over. Press Next for the confirmation.</source>
        <translation>所有 UKey 和信函均已发放。请按“下一步”打印确认书。</translation>
    </message>
    <message>
        <source>Failed; nothing else is affected. Correct the cause and try again.</source>
        <translation>失败（不影响其他项）。请排除原因后重试。</translation>
    </message>
    <message>
        <source>For</source>
        <translation>使用人</translation>
    </message>
    <message>
        <source>Generate key</source>
        <translation>生成密钥</translation>
    </message>
    <message>
        <source>Give the reason.</source>
        <translation>请填写原因。</translation>
    </message>
    <message>
        <source>Handed over: UKey {token}, certificate {certificate}.</source>
        <translation>已发放：UKey {token}，证书序列号 {certificate}。</translation>
    </message>
    <message>
        <source>Handed to (for the handover slip)</source>
        <translation>领取人（用于交接单）</translation>
    </message>
    <message>
        <source>Handover slip, signed by the receiver</source>
        <translation>介质交接单（领取人签字）</translation>
    </message>
    <message>
        <source>ID &amp;type:</source>
        <translation>证件类型(&amp;T)：</translation>
    </message>
    <message>
        <source>ID n&amp;umber:</source>
        <translation>证件号码(&amp;U)：</translation>
    </message>
    <message>
        <source>Initialise</source>
        <translation>初始化</translation>
    </message>
    <message>
        <source>Insert UKey {token} (for {name}) again: issuing goes on by itself when it is back. Only if that UKey is broken, insert another one, choose it and press Start.</source>
        <translation>请重新插入 UKey {token}（{name}）：插入后自动继续制证。仅当该 UKey 损坏时，才插入另一个 UKey，选中后按“开始”。</translation>
    </message>
    <message>
        <source>Insert {kind} from your drawer for {name} (login ID {login}), choose it and press Enter.</source>
        <translation>请从您的尾箱取{kind}插入，供 {name}（登录 ID {login}）使用，选中后按回车。</translation>
    </message>
    <message>
        <source>Install certificate</source>
        <translation>写入证书</translation>
    </message>
    <message>
        <source>Issue certificate</source>
        <translation>签发证书</translation>
    </message>
    <message>
        <source>Issues and prints every item not finished, in order: insert each UKey when asked and press Enter.</source>
        <translation>按顺序办理所有未完成的项目：按提示插入 UKey 后按回车。</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>物品</translation>
    </message>
    <message>
        <source>Letter {serial} is spoiled and its password void: a supervisor must allow a reprint.</source>
        <translation>信函 {serial} 已作废，其密码失效：须主管授权重打。</translation>
    </message>
    <message>
        <source>No free UKey is inserted yet</source>
        <translation>尚未插入可用的 UKey</translation>
    </message>
    <message>
        <source>On the documents printer (Alt+P)</source>
        <translation>在单据打印机上打印（Alt+P）</translation>
    </message>
    <message>
        <source>Once the customer has signed and taken the items, press Finish.</source>
        <translation>客户签字并领取物品后，请按“办结”。</translation>
    </message>
    <message>
        <source>PDF documents (*.pdf)</source>
        <translation>PDF 文档 (*.pdf)</translation>
    </message>
    <message>
        <source>Papers</source>
        <translation>单据</translation>
    </message>
    <message>
        <source>Password letter</source>
        <translation>密码信函</translation>
    </message>
    <message>
        <source>Print &amp;handover slip</source>
        <translation>打印交接单(&amp;H)</translation>
    </message>
    <message>
        <source>Print PIN letter</source>
        <translation>打印 PIN 密码函</translation>
    </message>
    <message>
        <source>Print or save the confirmation first; the customer signs it.</source>
        <translation>请先打印或保存确认书，供客户签字。</translation>
    </message>
    <message>
        <source>Printed on letter {serial}.</source>
        <translation>已打印，信函编号 {serial}。</translation>
    </message>
    <message>
        <source>Printing the confirmation...</source>
        <translation>正在打印确认书……</translation>
    </message>
    <message>
        <source>Printing the handover slip...</source>
        <translation>正在打印交接单……</translation>
    </message>
    <message>
        <source>Printing the letter...</source>
        <translation>正在打印信函……</translation>
    </message>
    <message>
        <source>Re&amp;try</source>
        <translation>重试(&amp;T)</translation>
    </message>
    <message>
        <source>Read back</source>
        <translation>回读校验</translation>
    </message>
    <message>
        <source>Reading the submission...</source>
        <translation>正在读取提交记录……</translation>
    </message>
    <message>
        <source>Reading what was handed over so far...</source>
        <translation>正在读取已发放的介质……</translation>
    </message>
    <message>
        <source>Reading what was handed over...</source>
        <translation>正在读取发放记录……</translation>
    </message>
    <message>
        <source>Receiver's na&amp;me:</source>
        <translation>领取人姓名(&amp;M)：</translation>
    </message>
    <message>
        <source>Reprint allowed: load the next letter and press Print.</source>
        <translation>已授权重打：请放入下一张信函后按“打印”。</translation>
    </message>
    <message>
        <source>Sa&amp;ve handover slip as PDF...</source>
        <translation>交接单另存为 PDF(&amp;V)...</translation>
    </message>
    <message>
        <source>Save confirmation as P&amp;DF...</source>
        <translation>确认书另存为 PDF(&amp;D)...</translation>
    </message>
    <message>
        <source>Save the confirmation as PDF</source>
        <translation>将确认书另存为 PDF</translation>
    </message>
    <message>
        <source>Save the handover slip as PDF</source>
        <translation>将交接单另存为 PDF</translation>
    </message>
    <message>
        <source>Saved as {file}.</source>
        <translation>已保存为 {file}。</translation>
    </message>
    <message>
        <source>Saving {file}...</source>
        <translation>正在保存 {file}……</translation>
    </message>
    <message>
        <source>Sealed; the customer changes it at first sign-in</source>
        <translation>密封；客户首次登录时修改</translation>
    </message>
    <message>
        <source>Serial</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Sign in again to go on.</source>
        <translation>请重新登录后继续。</translation>
    </message>
    <message>
        <source>Spoiled: a supervisor must allow a reprint.</source>
        <translation>信函已作废：须主管授权重打。</translation>
    </message>
    <message>
        <source>Start (Enter)</source>
        <translation>开始（回车）</translation>
    </message>
    <message>
        <source>Stock ledger</source>
        <translation>库存核对</translation>
    </message>
    <message>
        <source>Stopped. Press the item's action to go on from where it stopped.</source>
        <translation>已停止。按该项的操作按钮可从停止处继续。</translation>
    </message>
    <message>
        <source>Stopped: a supervisor must re-authorize the certificate order.</source>
        <translation>已暂停：须主管重新授权该证书订单。</translation>
    </message>
    <message>
        <source>Stopping after the current step...</source>
        <translation>当前步骤完成后停止……</translation>
    </message>
    <message>
        <source>Stops safely between two steps; nothing done is lost.</source>
        <translation>在两个步骤之间安全停止，已完成的步骤不会丢失。</translation>
    </message>
    <message>
        <source>Supervisor &amp;ID:</source>
        <translation>主管工号(&amp;I)：</translation>
    </message>
    <message>
        <source>Supervisor re-authorization</source>
        <translation>主管重新授权</translation>
    </message>
    <message>
        <source>Supervisor: allow a reprint</source>
        <translation>主管授权重打信函</translation>
    </message>
    <message>
        <source>The UKeys cannot be listed: {reason}</source>
        <translation>无法读取已插入的 UKey：{reason}</translation>
    </message>
    <message>
        <source>The central service is not available yet.</source>
        <translation>中心系统尚不可用。</translation>
    </message>
    <message>
        <source>The certificate order of {name} (UKey {token}) needs a new authorization code. A supervisor signs in with their own ID and password and gives the reason; issuing then goes on.</source>
        <translation>{name} 的证书订单（UKey {token}）需要新的授权码。请主管用本人工号和密码登录并填写原因，随后继续制证。</translation>
    </message>
    <message>
        <source>The confirmation was sent to the printer.</source>
        <translation>确认书已发送至打印机。</translation>
    </message>
    <message>
        <source>The handover slip was sent to the printer.</source>
        <translation>交接单已发送至打印机。</translation>
    </message>
    <message>
        <source>The letter for {name} was spoiled and its password is void. A supervisor signs in with their own ID and password and gives the reason; then the letter is printed again on the next serial.</source>
        <translation>{name} 的密码信函已作废，原密码失效。请主管用本人工号和密码登录并填写原因，随后用下一编号的信函重新打印。</translation>
    </message>
    <message>
        <source>The local store is not open yet.</source>
        <translation>本地数据库尚未打开。</translation>
    </message>
    <message>
        <source>The supervisor types their password.</source>
        <translation>请主管输入本人密码。</translation>
    </message>
    <message>
        <source>This application hands over no UKey and no letter. Press Next.</source>
        <translation>本申请无需发放 UKey 或信函，请按“下一步”。</translation>
    </message>
    <message>
        <source>This application is complete.</source>
        <translation>本笔业务已办结。</translation>
    </message>
    <message>
        <source>To do.</source>
        <translation>待办理。</translation>
    </message>
    <message>
        <source>Type the receiver's name and ID number for the handover slip.</source>
        <translation>请填写领取人姓名和证件号码，用于交接单。</translation>
    </message>
    <message>
        <source>Type the supervisor's ID.</source>
        <translation>请输入主管工号。</translation>
    </message>
    <message>
        <source>UKey</source>
        <translation>UKey</translation>
    </message>
    <message>
        <source>UKey certificate</source>
        <translation>证书 UKey</translation>
    </message>
    <message>
        <source>Waiting for UKey {token}.</source>
        <translation>等待 UKey {token}。</translation>
    </message>
    <message>
        <source>Waiting for a UKey.</source>
        <translation>等待插入 UKey。</translation>
    </message>
    <message>
        <source>What the customer takes a&amp;way:</source>
        <translation>客户领取的物品(&amp;W)：</translation>
    </message>
    <message>
        <source>Working on UKey {token}: {step}...</source>
        <translation>正在处理 UKey {token}：{step}……</translation>
    </message>
    <message>
        <source>a blank UKey</source>
        <translation>一个空白 UKey</translation>
    </message>
    <message>
        <source>a pre-made certificate UKey</source>
        <translation>一个预制证书 UKey</translation>
    </message>
    <message>
        <source>{customer} is signed on. Print the confirmation for the customer's signatures and seal, hand over the items below against the handover slip, then press Finish.</source>
        <translation>{customer}签约已完成。请打印确认书供客户签字盖章，凭交接单交付下列物品，然后按“办结”。</translation>
    </message>
    <message>
        <source>{done} of {total} steps</source>
        <translation>已完成 {done}/{total} 步</translation>
    </message>
    <message>
        <source>{name}, login ID {login}</source>
        <translation>{name}，登录 ID {login}</translation>
    </message>
    <message>
        <source>{ukeys} UKey(s), {letters} letter(s)</source>
        <translation>{ukeys} 个 UKey，{letters} 封信函</translation>
    </message>
</context>
</TS>
